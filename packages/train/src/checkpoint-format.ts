import { createHash } from 'node:crypto';
import { ArgumentError, describeValue, InputShapeError, NonFiniteInputError, parseJsonText, shapeSize } from '@offramp/core';

/** The first 8 bytes of every checkpoint file. */
export const CHECKPOINT_MAGIC = 'OFRMPCKP';
/** 2: the header carries the payload's length and SHA-256. Version 1 (no checksum) is refused; upgradeCheckpoint converts it. */
export const CHECKPOINT_VERSION = 2;
/** Magic, version, manifest length, payload length (uint64), SHA-256 of everything after the header. */
const HEADER_BYTES = 56;
const DIGEST_AT = 24;
const DIGEST_BYTES = 32;
const V1_HEADER_BYTES = 16;

/** One named float32 array of a checkpoint. */
export interface CheckpointEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
  /**
   * 'int8' stores the values as 8-bit integers with one float32 scale per row (a row: the last axis), a quarter of
   * the bytes; what is read back is q * scale, within half a scale of the value. Rank 0 and 1 stay float32.
   */
  readonly quantize?: 'int8';
}

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int8';
  /** Byte offset in the payload. */
  offset: number;
}

/** Rows of an int8 entry (one scale each): every axis but the last. */
const rowsOf = (shape: readonly number[]): number => (shape.length === 0 ? 1 : shapeSize(shape) / Math.max(1, shape[shape.length - 1]!));

/** Payload bytes of an entry: float32 values, or the int8 layout (row scales, then the values padded to 4 bytes). */
const entryBytes = (shape: readonly number[], dtype: ManifestEntry['dtype']): number =>
  dtype === 'float32' ? shapeSize(shape) * 4 : rowsOf(shape) * 4 + align4(shapeSize(shape));

/** Symmetric per-row int8 quantisation: scale = max |x| / 127 of each row, q = round(x / scale). */
export function quantizeRows(values: Float32Array, rowLength: number): { scales: Float32Array; q: Int8Array } {
  const rows = rowLength === 0 ? 0 : values.length / rowLength;
  const scales = new Float32Array(rows);
  const q = new Int8Array(values.length);
  for (let r = 0; r < rows; r++) {
    let top = 0;
    for (let k = r * rowLength; k < (r + 1) * rowLength; k++) top = Math.max(top, Math.abs(values[k]!));
    const scale = Math.fround(top / 127);
    scales[r] = scale;
    if (scale === 0) continue;
    for (let k = r * rowLength; k < (r + 1) * rowLength; k++) q[k] = Math.max(-127, Math.min(127, Math.round(values[k]! / scale)));
  }
  return { scales, q };
}

const align4 = (n: number): number => Math.ceil(n / 4) * 4;
const variableField = (name: string): string => `variables[${JSON.stringify(name)}].values`;
const sha256 = (bytes: Uint8Array): Uint8Array => createHash('sha256').update(bytes).digest();
const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
const littleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** The index of the first NaN or infinity in `values`, or -1. */
function firstNonFinite(values: Float32Array): number {
  for (let k = 0; k < values.length; k++) if (!Number.isFinite(values[k]!)) return k;
  return -1;
}

function checkFinite(values: Float32Array, field: string): void {
  const k = firstNonFinite(values);
  if (k >= 0) throw new NonFiniteInputError(field, k, values[k]!);
}

/**
 * Encodes entries as one checkpoint: magic (8 bytes); version, manifest length (uint32 little-endian);
 * payload length (uint64 little-endian); the SHA-256 of everything after the header (32 bytes); the JSON
 * manifest [{ name, shape, dtype, offset }], zero padding to a multiple of 4, then the payload: each entry's
 * float32 little-endian values, or for an int8 entry its row scales (float32) then its int8 values padded to 4. NaN and infinite values are refused (a NonFiniteInputError naming the variable and index).
 */
export function encodeCheckpoint(entries: readonly CheckpointEntry[]): Uint8Array {
  let offset = 0;
  const manifest: ManifestEntry[] = entries.map((entry) => {
    const size = shapeSize(entry.shape);
    if (entry.values.length !== size) {
      throw new InputShapeError({
        field: `${variableField(entry.name)}.length`,
        expected: `${size} (shape [${entry.shape.join(', ')}])`,
        received: String(entry.values.length),
      });
    }
    checkFinite(entry.values, variableField(entry.name));
    const dtype = entry.quantize === 'int8' && entry.shape.length >= 2 ? 'int8' : 'float32';
    const item: ManifestEntry = { name: entry.name, shape: [...entry.shape], dtype, offset };
    offset += entryBytes(entry.shape, dtype);
    return item;
  });
  const json = new TextEncoder().encode(JSON.stringify({ variables: manifest }));
  const payloadStart = align4(HEADER_BYTES + json.length);
  const bytes = new Uint8Array(payloadStart + offset);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode(CHECKPOINT_MAGIC), 0);
  view.setUint32(8, CHECKPOINT_VERSION, true);
  view.setUint32(12, json.length, true);
  view.setBigUint64(16, BigInt(offset), true);
  bytes.set(json, HEADER_BYTES);
  entries.forEach((entry, i) => {
    const start = payloadStart + manifest[i]!.offset;
    if (manifest[i]!.dtype === 'int8') {
      const { scales, q } = quantizeRows(entry.values, entry.shape[entry.shape.length - 1]!);
      scales.forEach((scale, r) => {
        view.setFloat32(start + r * 4, scale, true);
      });
      bytes.set(new Uint8Array(q.buffer, q.byteOffset, q.byteLength), start + scales.length * 4);
    } else if (littleEndian) {
      bytes.set(new Uint8Array(entry.values.buffer, entry.values.byteOffset, entry.values.byteLength), start);
    } else {
      entry.values.forEach((value, k) => {
        view.setFloat32(start + k * 4, value, true);
      });
    }
  });
  bytes.set(sha256(bytes.subarray(HEADER_BYTES)), DIGEST_AT);
  return bytes;
}

function formatError(source: string, field: string, expected: string, received: string): ArgumentError {
  return new ArgumentError({ field: `${source}: ${field}`, expected, received });
}

function parseManifest(text: string, source: string): ManifestEntry[] {
  // Core's strict reader: a key written twice, nesting deeper than 64 or malformed JSON is an ArgumentError.
  const parsed = parseJsonText(text, { source: `${source}: manifest` });
  const list =
    typeof parsed === 'object' && parsed !== null && 'variables' in parsed ? parsed.variables : undefined;
  if (!Array.isArray(list)) {
    throw formatError(source, 'manifest.variables', 'a list of variables', typeof list);
  }
  let offset = 0;
  const names = new Set<string>();
  return list.map((item: unknown, i) => {
    const field = `manifest.variables[${i}]`;
    const entry = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const { name, shape, dtype } = entry;
    if (typeof name !== 'string') throw formatError(source, `${field}.name`, 'a string', typeof name);
    if (names.has(name)) throw formatError(source, `${field}.name`, 'a name no other variable has', JSON.stringify(name));
    names.add(name);
    const shapeOk =
      Array.isArray(shape) && shape.every((d: unknown) => typeof d === 'number' && Number.isInteger(d) && d >= 0);
    if (!shapeOk) {
      throw formatError(source, `${field}.shape`, 'a list of whole numbers >= 0', describeValue(shape));
    }
    if (dtype !== 'float32' && dtype !== 'int8') throw formatError(source, `${field}.dtype`, '"float32" or "int8"', describeValue(dtype));
    if (entry.offset !== offset) {
      throw formatError(source, `${field}.offset`, String(offset), describeValue(entry.offset));
    }
    offset += entryBytes(shape as number[], dtype);
    return { name, shape: shape as number[], dtype, offset: entry.offset };
  });
}

function truncated(source: string, field: string, expected: string, length: number): InputShapeError {
  return new InputShapeError({ field: `${source}: ${field}`, expected, received: `a file of ${length} bytes (truncated)` });
}

/** The float32 values of each manifest entry, read from the payload at `payloadStart`; NaN and infinity refused. */
function readValues(bytes: Uint8Array, manifest: readonly ManifestEntry[], payloadStart: number, source: string): CheckpointEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return manifest.map((entry) => {
    const start = payloadStart + entry.offset;
    const size = shapeSize(entry.shape);
    const values = new Float32Array(size);
    if (entry.dtype === 'int8') {
      const rowLength = entry.shape[entry.shape.length - 1]!;
      const rows = rowsOf(entry.shape);
      const q = new Int8Array(bytes.buffer, bytes.byteOffset + start + rows * 4, size);
      for (let r = 0; r < rows; r++) {
        const scale = view.getFloat32(start + r * 4, true);
        for (let k = r * rowLength; k < (r + 1) * rowLength; k++) values[k] = q[k]! * scale;
      }
    } else if (littleEndian) new Uint8Array(values.buffer).set(bytes.subarray(start, start + size * 4));
    else for (let k = 0; k < size; k++) values[k] = view.getFloat32(start + k * 4, true);
    checkFinite(values, `${source}: ${variableField(entry.name)}`);
    return { name: entry.name, shape: entry.shape, values };
  });
}

/** Checks magic and version; returns the version (1 only when `allowVersion1`). */
function checkHeader(bytes: Uint8Array, source: string, allowVersion1: boolean): number {
  if (bytes.length < V1_HEADER_BYTES) {
    throw truncated(source, 'header', `at least ${V1_HEADER_BYTES} bytes`, bytes.length);
  }
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (magic !== CHECKPOINT_MAGIC) {
    throw formatError(source, 'magic', JSON.stringify(CHECKPOINT_MAGIC), JSON.stringify(magic));
  }
  const version = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (version === 1 && allowVersion1) return 1;
  if (version === 1) {
    throw formatError(
      source,
      'version',
      String(CHECKPOINT_VERSION),
      '1 (a checkpoint of the first format, without a checksum: convert it once with upgradeCheckpointFile(path) of @offramp/train, or delete it and save it again)',
    );
  }
  if (version !== CHECKPOINT_VERSION) throw formatError(source, 'version', String(CHECKPOINT_VERSION), String(version));
  if (bytes.length < HEADER_BYTES) throw truncated(source, 'header', `at least ${HEADER_BYTES} bytes`, bytes.length);
  return version;
}

/**
 * Decodes a checkpoint written by encodeCheckpoint; `source` (e.g. the path) names it in errors. The file
 * must have the length its header states and the SHA-256 it records (otherwise the payload is corrupt: an
 * ArgumentError with both digests), and no NaN or infinity (a NonFiniteInputError naming the variable and
 * the first bad index).
 */
export function decodeCheckpoint(bytes: Uint8Array, source = 'checkpoint'): CheckpointEntry[] {
  checkHeader(bytes, source, false);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const manifestBytes = view.getUint32(12, true);
  const payloadBytes = view.getBigUint64(16, true);
  if (HEADER_BYTES + manifestBytes > bytes.length) {
    throw truncated(source, 'manifest', `${manifestBytes} bytes of manifest`, bytes.length);
  }
  const payloadStart = align4(HEADER_BYTES + manifestBytes);
  const total = BigInt(payloadStart) + payloadBytes;
  if (BigInt(bytes.length) !== total) {
    throw new InputShapeError({
      field: `${source}: payload`,
      expected: `${total} bytes in the file (${payloadBytes} bytes of float32 values)`,
      received: `${bytes.length} bytes${BigInt(bytes.length) < total ? ' (truncated)' : ''}`,
    });
  }
  const recorded = hex(bytes.subarray(DIGEST_AT, DIGEST_AT + DIGEST_BYTES));
  const actual = hex(sha256(bytes.subarray(HEADER_BYTES)));
  if (actual !== recorded) {
    throw formatError(source, 'payload', `SHA-256 ${recorded} (as recorded in the file)`, `SHA-256 ${actual}: the payload is corrupt`);
  }
  const manifest = parseManifest(
    new TextDecoder().decode(bytes.subarray(HEADER_BYTES, HEADER_BYTES + manifestBytes)),
    source,
  );
  const sizes = manifest.reduce((sum, entry) => sum + entryBytes(entry.shape, entry.dtype), 0);
  if (BigInt(sizes) !== payloadBytes) {
    throw formatError(source, 'payload', `${sizes} bytes (the variables of the manifest)`, `${payloadBytes} bytes`);
  }
  return readValues(bytes, manifest, payloadStart, source);
}

/**
 * Converts a checkpoint of the first format (version 1, no checksum) to the current one, checking what can be
 * checked (layout, manifest, no NaN or infinity); a current checkpoint is decoded (verified) and returned as it is.
 */
export function upgradeCheckpoint(bytes: Uint8Array, source = 'checkpoint'): Uint8Array {
  if (checkHeader(bytes, source, true) === CHECKPOINT_VERSION) {
    decodeCheckpoint(bytes, source);
    return bytes;
  }
  const manifestBytes = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(12, true);
  if (V1_HEADER_BYTES + manifestBytes > bytes.length) {
    throw truncated(source, 'manifest', `${manifestBytes} bytes of manifest`, bytes.length);
  }
  const manifest = parseManifest(
    new TextDecoder().decode(bytes.subarray(V1_HEADER_BYTES, V1_HEADER_BYTES + manifestBytes)),
    source,
  );
  const payloadStart = align4(V1_HEADER_BYTES + manifestBytes);
  const payloadBytes = manifest.reduce((sum, entry) => sum + shapeSize(entry.shape) * 4, 0);
  if (bytes.length !== payloadStart + payloadBytes) {
    throw new InputShapeError({
      field: `${source}: payload`,
      expected: `${payloadStart + payloadBytes} bytes in the file (${payloadBytes} bytes of float32 values)`,
      received: `${bytes.length} bytes${bytes.length < payloadStart + payloadBytes ? ' (truncated)' : ''}`,
    });
  }
  return encodeCheckpoint(readValues(bytes, manifest, payloadStart, source));
}
