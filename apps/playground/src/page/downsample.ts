import { ArgumentError } from '@offramp/core';

/** Side of an MNIST image. */
export const MNIST_SIDE = 28;
/** MNIST digits are scaled so their bounding box fits this square, then centred by mass. */
export const MNIST_BOX = 20;
/** Ink below this level does not count towards the bounding box. */
const INK_FLOOR = 0.05;

/** Grey levels in [0, 1] (1 = ink) from the red channel of RGBA pixels (white ink on black). */
export function inkFromRgba(rgba: ArrayLike<number>, width: number, height: number): Float32Array {
  if (rgba.length !== width * height * 4) {
    throw new ArgumentError({ field: 'rgba.length', expected: `${width} x ${height} x 4`, received: String(rgba.length) });
  }
  return Float32Array.from({ length: width * height }, (_, i) => rgba[i * 4]! / 255);
}

/** Weights of an area-averaging resample of `source` pixels onto `target` pixels: target x source. */
export function areaWeights(source: number, target: number): Float32Array {
  const weights = new Float32Array(target * source);
  const step = source / target;
  for (let j = 0; j < target; j++) {
    const from = j * step;
    const to = from + step;
    for (let i = Math.floor(from); i < Math.min(source, Math.ceil(to)); i++) {
      const overlap = Math.min(to, i + 1) - Math.max(from, i);
      if (overlap > 0) weights[j * source + i] = overlap / step;
    }
  }
  return weights;
}

interface Box {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

function inkBox(ink: Float32Array, width: number, height: number): Box | null {
  let left = width;
  let right = -1;
  let top = height;
  let bottom = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x]! > INK_FLOOR) {
        left = Math.min(left, x);
        right = Math.max(right, x);
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
      }
    }
  }
  return right < 0 ? null : { left, top, width: right - left + 1, height: bottom - top + 1 };
}

/** The box's pixels area-averaged to `w` x `h`. */
function resampleBox(ink: Float32Array, width: number, box: Box, w: number, h: number): Float32Array {
  const wx = areaWeights(box.width, w);
  const wy = areaWeights(box.height, h);
  const rows = new Float32Array(box.height * w);
  for (let y = 0; y < box.height; y++) {
    const src = (box.top + y) * width + box.left;
    for (let j = 0; j < w; j++) {
      let sum = 0;
      for (let x = 0; x < box.width; x++) sum += wx[j * box.width + x]! * ink[src + x]!;
      rows[y * w + j] = sum;
    }
  }
  const out = new Float32Array(h * w);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      let sum = 0;
      for (let y = 0; y < box.height; y++) sum += wy[i * box.height + y]! * rows[y * w + j]!;
      out[i * w + j] = Math.min(1, sum);
    }
  }
  return out;
}

/**
 * An MNIST-style 28 x 28 image (row-major, [0, 1]) from a drawing: the ink's bounding box is
 * scaled, keeping its aspect, to fit 20 x 20 with area averaging (which anti-aliases the strokes),
 * then placed so its centre of mass sits at the image centre. An empty drawing gives zeros.
 */
export function toMnist(ink: Float32Array, width: number, height: number): Float32Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new ArgumentError({ field: 'width, height', expected: 'whole numbers >= 1', received: `${width}, ${height}` });
  }
  if (ink.length !== width * height) {
    throw new ArgumentError({ field: 'ink.length', expected: `${width} x ${height}`, received: String(ink.length) });
  }
  const out = new Float32Array(MNIST_SIDE * MNIST_SIDE);
  const box = inkBox(ink, width, height);
  if (!box) return out;
  const scale = MNIST_BOX / Math.max(box.width, box.height);
  const w = Math.max(1, Math.round(box.width * scale));
  const h = Math.max(1, Math.round(box.height * scale));
  const patch = resampleBox(ink, width, box, w, h);
  let mass = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const v = patch[i * w + j]!;
      mass += v;
      cx += v * (j + 0.5);
      cy += v * (i + 0.5);
    }
  }
  const centre = MNIST_SIDE / 2;
  const left = Math.min(MNIST_SIDE - w, Math.max(0, Math.round(centre - cx / mass)));
  const top = Math.min(MNIST_SIDE - h, Math.max(0, Math.round(centre - cy / mass)));
  for (let i = 0; i < h; i++) out.set(patch.subarray(i * w, (i + 1) * w), (top + i) * MNIST_SIDE + left);
  return out;
}
