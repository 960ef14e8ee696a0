import { ArgumentError, describeValue, InputShapeError, shapeSize } from '@offramp/core';

/** The first 8 bytes of every checkpoint file. */
export const CHECKPOINT_MAGIC = 'OFRMPCKP';
export const CHECKPOINT_VERSION = 1;
const HEADER_BYTES = 16;

/** One named float32 array of a checkpoint. */
export interface CheckpointEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: 'float32';
  /** Byte offset in the payload. */
  offset: number;
}

const align4 = (n: number): number => Math.ceil(n / 4) * 4;

/**
 * Encodes entries as one checkpoint: magic (8 bytes), version and manifest length (uint32 little-endian),
 * the JSON manifest [{ name, shape, dtype, offset }], zero padding to a multiple of 4, then the float32
 * little-endian payload.
 */
export function encodeCheckpoint(entries: readonly CheckpointEntry[]): Uint8Array {
  let offset = 0;
  const manifest: ManifestEntry[] = entries.map((entry) => {
    const size = shapeSize(entry.shape);
    if (entry.values.length !== size) {
      throw new InputShapeError({
        field: `variables[${JSON.stringify(entry.name)}].values.length`,
        expected: `${size} (shape [${entry.shape.join(', ')}])`,
        received: String(entry.values.length),
      });
    }
    const item: ManifestEntry = { name: entry.name, shape: [...entry.shape], dtype: 'float32', offset };
    offset += size * 4;
    return item;
  });
  const json = new TextEncoder().encode(JSON.stringify({ variables: manifest }));
  const payloadStart = align4(HEADER_BYTES + json.length);
  const bytes = new Uint8Array(payloadStart + offset);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode(CHECKPOINT_MAGIC), 0);
  view.setUint32(8, CHECKPOINT_VERSION, true);
  view.setUint32(12, json.length, true);
  bytes.set(json, HEADER_BYTES);
  entries.forEach((entry, i) => {
    const start = payloadStart + manifest[i]!.offset;
    entry.values.forEach((value, k) => {
      view.setFloat32(start + k * 4, value, true);
    });
  });
  return bytes;
}

function formatError(source: string, field: string, expected: string, received: string): ArgumentError {
  return new ArgumentError({ field: `${source}: ${field}`, expected, received });
}

function parseManifest(text: string, source: string): ManifestEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw formatError(source, 'manifest', 'a JSON manifest', 'text that does not parse');
  }
  const list =
    typeof parsed === 'object' && parsed !== null && 'variables' in parsed ? parsed.variables : undefined;
  if (!Array.isArray(list)) {
    throw formatError(source, 'manifest.variables', 'a list of variables', typeof list);
  }
  let offset = 0;
  return list.map((item: unknown, i) => {
    const field = `manifest.variables[${i}]`;
    const entry = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const { name, shape, dtype } = entry;
    if (typeof name !== 'string') throw formatError(source, `${field}.name`, 'a string', typeof name);
    const shapeOk =
      Array.isArray(shape) && shape.every((d: unknown) => typeof d === 'number' && Number.isInteger(d) && d >= 0);
    if (!shapeOk) {
      throw formatError(source, `${field}.shape`, 'a list of whole numbers >= 0', describeValue(shape));
    }
    if (dtype !== 'float32') throw formatError(source, `${field}.dtype`, '"float32"', describeValue(dtype));
    if (entry.offset !== offset) {
      throw formatError(source, `${field}.offset`, String(offset), describeValue(entry.offset));
    }
    offset += shapeSize(shape as number[]) * 4;
    return { name, shape: shape as number[], dtype, offset: entry.offset };
  });
}

/** Decodes a checkpoint written by encodeCheckpoint; `source` (e.g. the path) names it in errors. */
export function decodeCheckpoint(bytes: Uint8Array, source = 'checkpoint'): CheckpointEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < HEADER_BYTES) {
    throw new InputShapeError({
      field: `${source}: header`,
      expected: `at least ${HEADER_BYTES} bytes`,
      received: `a file of ${bytes.length} bytes (truncated)`,
    });
  }
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (magic !== CHECKPOINT_MAGIC) {
    throw formatError(source, 'magic', JSON.stringify(CHECKPOINT_MAGIC), JSON.stringify(magic));
  }
  const version = view.getUint32(8, true);
  if (version !== CHECKPOINT_VERSION) {
    throw formatError(source, 'version', String(CHECKPOINT_VERSION), String(version));
  }
  const manifestBytes = view.getUint32(12, true);
  if (HEADER_BYTES + manifestBytes > bytes.length) {
    throw new InputShapeError({
      field: `${source}: manifest`,
      expected: `${manifestBytes} bytes of manifest`,
      received: `a file of ${bytes.length} bytes (truncated)`,
    });
  }
  const manifest = parseManifest(
    new TextDecoder().decode(bytes.subarray(HEADER_BYTES, HEADER_BYTES + manifestBytes)),
    source,
  );
  const payloadStart = align4(HEADER_BYTES + manifestBytes);
  const payloadBytes = manifest.reduce((sum, entry) => sum + shapeSize(entry.shape) * 4, 0);
  if (bytes.length !== payloadStart + payloadBytes) {
    throw new InputShapeError({
      field: `${source}: payload`,
      expected: `${payloadStart + payloadBytes} bytes in the file (${payloadBytes} bytes of float32 values)`,
      received: `${bytes.length} bytes${bytes.length < payloadStart + payloadBytes ? ' (truncated)' : ''}`,
    });
  }
  return manifest.map((entry) => {
    const values = new Float32Array(shapeSize(entry.shape));
    const start = payloadStart + entry.offset;
    for (let k = 0; k < values.length; k++) values[k] = view.getFloat32(start + k * 4, true);
    return { name: entry.name, shape: entry.shape, values };
  });
}
