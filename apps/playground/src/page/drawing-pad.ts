import { inkFromRgba, MNIST_SIDE, toMnist } from './downsample.js';

/** A canvas to draw a digit on with the mouse, pen or a finger: white ink on black. */
export class DrawingPad {
  readonly #canvas: HTMLCanvasElement;
  readonly #context: CanvasRenderingContext2D;
  #drawing = false;
  #empty = true;

  /** `onStroke` runs after every stroke, with the drawing as an MNIST-style 28 x 28 image. */
  constructor(canvas: HTMLCanvasElement, onStroke: (image: Float32Array) => void) {
    this.#canvas = canvas;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('this browser has no 2D canvas');
    this.#context = context;
    this.clear();
    const point = (event: PointerEvent): [number, number] => {
      const rect = canvas.getBoundingClientRect();
      return [((event.clientX - rect.left) * canvas.width) / rect.width, ((event.clientY - rect.top) * canvas.height) / rect.height];
    };
    canvas.addEventListener('pointerdown', (event) => {
      this.#drawing = true;
      this.#empty = false;
      canvas.setPointerCapture?.(event.pointerId);
      const [x, y] = point(event);
      this.#context.beginPath();
      this.#context.moveTo(x, y);
      this.#context.lineTo(x + 0.01, y);
      this.#context.stroke();
    });
    canvas.addEventListener('pointermove', (event) => {
      if (!this.#drawing) return;
      const [x, y] = point(event);
      this.#context.lineTo(x, y);
      this.#context.stroke();
    });
    const end = () => {
      if (!this.#drawing) return;
      this.#drawing = false;
      onStroke(this.image());
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointerleave', end);
  }

  get empty(): boolean {
    return this.#empty;
  }

  clear(): void {
    const c = this.#context;
    c.fillStyle = '#000';
    c.fillRect(0, 0, this.#canvas.width, this.#canvas.height);
    c.strokeStyle = '#fff';
    c.lineWidth = Math.round(this.#canvas.width / 12);
    c.lineCap = 'round';
    c.lineJoin = 'round';
    this.#empty = true;
  }

  /** The drawing as the network reads it. */
  image(): Float32Array {
    const { width, height } = this.#canvas;
    return toMnist(inkFromRgba(this.#context.getImageData(0, 0, width, height).data, width, height), width, height);
  }
}

/** Paints a 28 x 28 grey image (0..1) into a small canvas, one canvas pixel per image pixel. */
export function paintImage(canvas: HTMLCanvasElement, image: Float32Array): void {
  const context = canvas.getContext('2d');
  if (!context) return;
  canvas.width = MNIST_SIDE;
  canvas.height = MNIST_SIDE;
  const data = context.createImageData(MNIST_SIDE, MNIST_SIDE);
  image.forEach((v, i) => {
    const level = Math.round(v * 255);
    data.data.set([level, level, level, 255], i * 4);
  });
  context.putImageData(data, 0, 0);
}
