import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ArgumentError, CountMismatchError, InputShapeError, NonFiniteInputError } from '@offramp/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHECKPOINT_MAGIC,
  checkpointExists,
  decodeCheckpoint,
  encodeCheckpoint,
  loadVariables,
  readCheckpoint,
  saveVariables,
  upgradeCheckpoint,
  upgradeCheckpointFile,
  writeCheckpoint,
} from '../src/index.js';

let folder: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  folder = await mkdtemp(join(tmpdir(), 'offramp-checkpoint-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

const kernelValues = [1.5, -2.25, 3.4e38, 1e-45, -0, 0.1, 7, -1e-20];
const biasValues = [0.3333333432674408, -5];

/** Runs `body` with fresh variables kernel [4, 2] and bias [2] named `${prefix}/...`, disposed afterwards. */
async function withVariables(
  prefix: string,
  body: (kernel: tf.Variable, bias: tf.Variable) => Promise<void>,
  kernelShape: number[] = [4, 2],
): Promise<void> {
  const size = kernelShape.reduce((a, b) => a * b, 1);
  const kernel = tf.variable(tf.tensor(kernelValues.slice(0, size), kernelShape), true, `${prefix}/kernel`);
  const bias = tf.variable(tf.tensor1d(biasValues), true, `${prefix}/bias`);
  try {
    await body(kernel, bias);
  } finally {
    tf.dispose([kernel, bias]);
  }
}

async function saved(name: string): Promise<string> {
  const path = join(folder, name);
  await withVariables('saved', (kernel, bias) => saveVariables(path, [kernel, bias]));
  return path;
}

describe('saveVariables / loadVariables', () => {
  it('round-trips the values exactly, including -0, tiny and huge floats', async () => {
    const path = join(folder, 'round-trip.ckpt');
    await withVariables('round', async (kernel, bias) => {
      await saveVariables(path, [kernel, bias]);
      kernel.assign(tf.zeros([4, 2]));
      bias.assign(tf.ones([2]));
      // loading matches by name, so the order of the list does not matter
      await loadVariables(path, [bias, kernel]);
      expect(kernel.dataSync()).toEqual(Float32Array.from(kernelValues));
      expect(Object.is(kernel.dataSync()[4], -0)).toBe(true);
      expect(bias.dataSync()).toEqual(Float32Array.from(biasValues));
    });
  });

  it('stores rank-2 variables as int8 with a scale per row when asked, a quarter of the bytes', async () => {
    // row [1, -2, 0.5]: scale 2 / 127, q = round(63.5, -127, 31.75) = (64, -127, 32); back: 64 * 2 / 127, -2, 32 * 2 / 127
    const scale = Math.fround(2 / 127);
    const [entry] = decodeCheckpoint(encodeCheckpoint([{ name: 'k', shape: [2, 3], values: Float32Array.of(1, -2, 0.5, 0, 0, 0), quantize: 'int8' }]));
    expect(Array.from(entry!.values)).toEqual([64 * scale, -127 * scale, 32 * scale, 0, 0, 0].map(Math.fround));
    // a vector stays float32 even when asked
    const [vector] = decodeCheckpoint(encodeCheckpoint([{ name: 'b', shape: [2], values: Float32Array.of(0.1, 0.2), quantize: 'int8' }]));
    expect(vector!.values).toEqual(Float32Array.of(0.1, 0.2));
    const path = join(folder, 'int8.ckpt');
    const kernel = tf.variable(tf.randomNormal([64, 32], 0, 1, 'float32', 3), true, 'q/kernel');
    const bias = tf.variable(tf.tensor1d(biasValues), true, 'q/bias');
    try {
      const original = kernel.dataSync().slice();
      await saveVariables(path, [kernel, bias], { quantize: 'int8' });
      const plain = join(folder, 'float.ckpt');
      await saveVariables(plain, [kernel, bias]);
      const [small, large] = [(await readFile(path)).length, (await readFile(plain)).length];
      expect(small).toBeLessThan(large * 0.3);
      await loadVariables(path, [kernel, bias]);
      const back = kernel.dataSync();
      for (let r = 0; r < 64; r++) {
        const row = original.subarray(r * 32, (r + 1) * 32);
        const half = Math.max(...row.map(Math.abs)) / 127 / 2;
        for (let c = 0; c < 32; c++) expect(Math.abs(back[r * 32 + c]! - row[c]!)).toBeLessThanOrEqual(half * 1.0001);
      }
      expect(bias.dataSync()).toEqual(Float32Array.from(biasValues));
    } finally {
      tf.dispose([kernel, bias]);
    }
  });

  it('writes the documented layout: magic, version 2, lengths, SHA-256, manifest, float32 payload', async () => {
    const bytes = await readFile(await saved('layout.ckpt'));
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(bytes.subarray(0, 8).toString()).toBe(CHECKPOINT_MAGIC);
    expect(view.getUint32(8, true)).toBe(2);
    const manifestLength = view.getUint32(12, true);
    expect(view.getBigUint64(16, true)).toBe(40n);
    expect(Buffer.from(bytes.subarray(24, 56)).toString('hex')).toBe(createHash('sha256').update(bytes.subarray(56)).digest('hex'));
    const manifest = JSON.parse(bytes.subarray(56, 56 + manifestLength).toString());
    expect(manifest.variables).toEqual([
      { name: 'saved/kernel', shape: [4, 2], dtype: 'float32', offset: 0 },
      { name: 'saved/bias', shape: [2], dtype: 'float32', offset: 32 },
    ]);
    const payload = Math.ceil((56 + manifestLength) / 4) * 4;
    expect(bytes.length).toBe(payload + 40);
    expect(view.getFloat32(payload + 32, true)).toBe(Math.fround(biasValues[0]!));
  });

  it('leaves no temporary file behind and replaces an older checkpoint whole', async () => {
    const sub = await mkdtemp(join(folder, 'atomic-'));
    const path = join(sub, 'model.ckpt');
    await writeFile(path, Buffer.alloc(10_000, 7));
    await withVariables('atomic', (kernel, bias) => saveVariables(path, [kernel, bias]));
    expect(await readdir(sub)).toEqual(['model.ckpt']);
    expect((await readCheckpoint(path)).map((e) => e.name)).toEqual(['atomic/kernel', 'atomic/bias']);
  });

  it('makes missing folders and reports whether a checkpoint exists', async () => {
    const path = join(folder, 'nested', 'deeper', 'model.ckpt');
    expect(await checkpointExists(path)).toBe(false);
    await withVariables('nested', (kernel, bias) => saveVariables(path, [kernel, bias]));
    expect(await checkpointExists(path)).toBe(true);
    expect(await checkpointExists(folder)).toBe(false);
  });

  it('leaves no tensors behind over repeated saves and loads', async () => {
    const path = join(folder, 'memory.ckpt');
    await withVariables('memory', async (kernel, bias) => {
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) {
        await saveVariables(path, [kernel, bias]);
        await loadVariables(path, [kernel, bias]);
      }
      expect(tf.memory().numTensors).toBe(before);
    });
  });
});

describe('checkpoint errors', () => {
  it('gives a clear error for a missing file', async () => {
    await withVariables('missing', async (kernel) => {
      const load = loadVariables(join(folder, 'nothing-here.ckpt'), [kernel]);
      await expect(load).rejects.toThrow(ArgumentError);
      await expect(load).rejects.toThrow(/^path: expected a readable checkpoint file, received no file at .*nothing-here/);
    });
  });

  it('rejects a truncated file, with expected and received sizes', async () => {
    const path = await saved('truncated.ckpt');
    const bytes = await readFile(path);
    await writeFile(path, bytes.subarray(0, bytes.length - 4));
    await withVariables('saved', async (kernel, bias) => {
      const load = loadVariables(path, [kernel, bias]);
      await expect(load).rejects.toThrow(InputShapeError);
      await expect(load).rejects.toThrow(
        new RegExp(`payload: expected ${bytes.length} bytes.*received ${bytes.length - 4} bytes \\(truncated\\)`),
      );
      // nothing was assigned
      expect(kernel.dataSync()).toEqual(Float32Array.from(kernelValues));
    });
    await writeFile(path, bytes.subarray(0, 12));
    await expect(readCheckpoint(path)).rejects.toThrow(/header: expected at least 16 bytes/);
    await writeFile(path, bytes.subarray(0, 40));
    await expect(readCheckpoint(path)).rejects.toThrow(/header: expected at least 56 bytes/);
    await writeFile(path, bytes.subarray(0, 60));
    await expect(readCheckpoint(path)).rejects.toThrow(/manifest: expected \d+ bytes of manifest/);
    await writeFile(path, Buffer.concat([bytes, Buffer.alloc(4)]));
    await expect(readCheckpoint(path)).rejects.toThrow(new RegExp(`payload: expected ${bytes.length} bytes.*received ${bytes.length + 4} bytes$`));
  });

  it('rejects a variable whose shape differs, naming it', async () => {
    const path = await saved('shape.ckpt');
    await withVariables(
      'saved',
      async (kernel, bias) => {
        const load = loadVariables(path, [kernel, bias]);
        await expect(load).rejects.toThrow(InputShapeError);
        await expect(load).rejects.toThrow(
          /^variables\["saved\/kernel"\]\.shape: expected \[2, 4\] \(the variable's shape\), received \[4, 2\]/,
        );
      },
      [2, 4],
    );
  });

  it('rejects a variable name that is not in the file and a file with names left over', async () => {
    const path = await saved('names.ckpt');
    await withVariables('other', async (kernel, bias) => {
      await expect(loadVariables(path, [kernel, bias])).rejects.toThrow(ArgumentError);
      await expect(loadVariables(path, [kernel, bias])).rejects.toThrow(
        /^variables\["other\/kernel"\]\.name: expected one of the names in .*\("saved\/kernel", "saved\/bias"\), received "other\/kernel"/,
      );
    });
    await withVariables('saved', async (kernel) => {
      await expect(loadVariables(path, [kernel])).rejects.toThrow(CountMismatchError);
      await expect(loadVariables(path, [kernel])).rejects.toThrow(/^variables: expected 2 variables.*"saved\/bias"/);
    });
  });

  it('rejects bad magic and another version', async () => {
    const bytes = await readFile(await saved('magic.ckpt'));
    const wrongMagic = Uint8Array.from(bytes);
    wrongMagic.set(new TextEncoder().encode('PK\u0003\u0004'), 0);
    expect(() => decodeCheckpoint(wrongMagic, 'model.ckpt')).toThrow(ArgumentError);
    expect(() => decodeCheckpoint(wrongMagic, 'model.ckpt')).toThrow(/^model\.ckpt: magic: expected "OFRMPCKP"/);
    const wrongVersion = Uint8Array.from(bytes);
    new DataView(wrongVersion.buffer).setUint32(8, 9, true);
    expect(() => decodeCheckpoint(wrongVersion)).toThrow(/^checkpoint: version: expected 2, received 9$/);
  });

  it('checks the manifest fields one by one', () => {
    const good = { name: 'a', shape: [2], dtype: 'float32', offset: 0 };
    expect(decodeCheckpoint(encodeRaw([good]))[0]!.values).toEqual(new Float32Array(2));
    expect(() => decodeCheckpoint(encodeRaw([{ ...good, shape: [-2] }]))).toThrow(/variables\[0\]\.shape/);
    expect(() => decodeCheckpoint(encodeRaw([{ ...good, dtype: 'int32' }]))).toThrow(/variables\[0\]\.dtype: expected "float32" or "int8"/);
    expect(() => decodeCheckpoint(encodeRaw([{ ...good, offset: 4 }]))).toThrow(/variables\[0\]\.offset: expected 0/);
    expect(() => decodeCheckpoint(encodeRaw([{ ...good, name: 3 }]))).toThrow(/variables\[0\]\.name/);
    expect(() => decodeCheckpoint(encodeRaw({}))).toThrow(/manifest\.variables: expected a list/);
    expect(() => decodeCheckpoint(encodeRaw([good, { ...good, offset: 8 }], 16))).toThrow(
      /variables\[1\]\.name: expected a name no other variable has, received "a"/,
    );
    expect(() => decodeCheckpoint(encodeRaw([good], 12))).toThrow(/payload: expected 8 bytes \(the variables of the manifest\), received 12 bytes/);
    const notJson = encodeRaw([good]);
    notJson[56] = 0x5b; // '[' where the manifest's '{' was: valid JSON start, broken document
    sealDigest(notJson);
    expect(() => decodeCheckpoint(notJson)).toThrow(/manifest: expected valid JSON/);
    // A manifest naming a key twice (JSON.parse would keep the last one silently) is refused.
    const twice = new TextEncoder().encode('{"variables":[],"variables":[{"name":"a","shape":[2],"dtype":"float32","offset":0}]}');
    expect(() => decodeCheckpoint(encodeRawText(twice, 8))).toThrow(/manifest: variables: expected each key once per object/);
  });

  it('refuses to encode values that do not fill their shape, and int32 variables', async () => {
    expect(() => encodeCheckpoint([{ name: 'x', shape: [3], values: new Float32Array(2) }])).toThrow(
      /^variables\["x"\]\.values\.length: expected 3/,
    );
    const counter = tf.variable(tf.tensor1d([1], 'int32'), false, 'counter');
    await expect(saveVariables(join(folder, 'int.ckpt'), [counter])).rejects.toThrow(
      /^variables\["counter"\]\.dtype: expected float32, received int32/,
    );
    counter.dispose();
  });
});

/** Writes the SHA-256 of everything after the header into the header, as encodeCheckpoint does. */
function sealDigest(bytes: Uint8Array): Uint8Array {
  bytes.set(createHash('sha256').update(bytes.subarray(56)).digest(), 24);
  return bytes;
}

/** A version-2 file with any manifest JSON and `payloadBytes` of zeros, its checksum right. */
function encodeRaw(variables: unknown, payloadBytes = 8): Uint8Array {
  return encodeRawText(new TextEncoder().encode(JSON.stringify({ variables })), payloadBytes);
}

/** A version-2 file with the manifest text `json` as it is and `payloadBytes` of zeros, its checksum right. */
function encodeRawText(json: Uint8Array, payloadBytes: number): Uint8Array {
  const bytes = new Uint8Array(Math.ceil((56 + json.length) / 4) * 4 + payloadBytes);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode(CHECKPOINT_MAGIC));
  view.setUint32(8, 2, true);
  view.setUint32(12, json.length, true);
  view.setBigUint64(16, BigInt(payloadBytes), true);
  bytes.set(json, 56);
  return sealDigest(bytes);
}

/** A checkpoint of the first format (version 1: 16-byte header, no checksum), as earlier versions wrote it. */
function encodeVersion1(entries: readonly { name: string; shape: number[]; values: number[] }[]): Uint8Array {
  let offset = 0;
  const variables = entries.map((e) => {
    const item = { name: e.name, shape: e.shape, dtype: 'float32', offset };
    offset += e.values.length * 4;
    return item;
  });
  const json = new TextEncoder().encode(JSON.stringify({ variables }));
  const start = Math.ceil((16 + json.length) / 4) * 4;
  const bytes = new Uint8Array(start + offset);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode(CHECKPOINT_MAGIC));
  view.setUint32(8, 1, true);
  view.setUint32(12, json.length, true);
  bytes.set(json, 16);
  entries.forEach((e, i) => {
    e.values.forEach((v, k) => {
      view.setFloat32(start + variables[i]!.offset + k * 4, v, true);
    });
  });
  return bytes;
}

describe('checkpoint integrity', () => {
  it('refuses a payload with one byte flipped, naming the file and both digests', async () => {
    const path = await saved('flipped.ckpt');
    const bytes = await readFile(path);
    const recorded = Buffer.from(bytes.subarray(24, 56)).toString('hex');
    for (const at of [bytes.length - 1, bytes.length - 40, 60]) {
      const flipped = Uint8Array.from(bytes);
      flipped[at]! ^= 0x10;
      await writeFile(path, flipped);
      const actual = createHash('sha256').update(flipped.subarray(56)).digest('hex');
      await withVariables('saved', async (kernel, bias) => {
        const load = loadVariables(path, [kernel, bias]);
        await expect(load).rejects.toThrow(ArgumentError);
        await expect(load).rejects.toThrow(
          `${path}: payload: expected SHA-256 ${recorded} (as recorded in the file), received SHA-256 ${actual}: the payload is corrupt`,
        );
      });
    }
    // a flipped digest is a mismatch too
    const wrongDigest = Uint8Array.from(bytes);
    wrongDigest[30]! ^= 1;
    expect(() => decodeCheckpoint(wrongDigest, 'model.ckpt')).toThrow(/^model\.ckpt: payload: expected SHA-256 .*the payload is corrupt$/);
  });

  it('refuses NaN and infinite values on load, naming the file, the variable and the first bad index', async () => {
    const bytes = Uint8Array.from(encodeCheckpoint([{ name: 'w', shape: [3], values: Float32Array.of(1, 2, 3) }]));
    const view = new DataView(bytes.buffer);
    const payload = bytes.length - 12;
    for (const [bad, text] of [
      [Number.NaN, 'NaN'],
      [Number.POSITIVE_INFINITY, 'Infinity'],
      [Number.NEGATIVE_INFINITY, '-Infinity'],
    ] as const) {
      const copy = Uint8Array.from(bytes);
      new DataView(copy.buffer).setFloat32(payload + 4, bad, true);
      new DataView(copy.buffer).setFloat32(payload + 8, bad, true);
      sealDigest(copy);
      expect(() => decodeCheckpoint(copy, 'model.ckpt')).toThrow(NonFiniteInputError);
      expect(() => decodeCheckpoint(copy, 'model.ckpt')).toThrow(
        `model.ckpt: variables["w"].values[1]: expected a finite number, received ${text}`,
      );
    }
    expect(view.getFloat32(payload, true)).toBe(1);
  });

  it('refuses NaN and infinite values on save, writing nothing', async () => {
    expect(() => encodeCheckpoint([{ name: 'w', shape: [2], values: Float32Array.of(0, Number.NaN) }])).toThrow(
      /^variables\["w"\]\.values\[1\]: expected a finite number, received NaN$/,
    );
    const path = join(folder, 'never.ckpt');
    const v = tf.variable(tf.tensor1d([1, Number.NEGATIVE_INFINITY, 2]), true, 'infinite');
    try {
      await expect(saveVariables(path, [v])).rejects.toThrow(NonFiniteInputError);
      await expect(saveVariables(path, [v])).rejects.toThrow(/^variables\["infinite"\]\.values\[1\]: expected a finite number, received -Infinity$/);
    } finally {
      v.dispose();
    }
    expect(await checkpointExists(path)).toBe(false);
  });

  it('refuses a version-1 checkpoint, saying how to convert it, and converts it once', async () => {
    const path = join(folder, 'old.ckpt');
    const entries = [
      { name: 'old/kernel', shape: [2, 2], values: [1.5, -0.993, 0, 7] },
      { name: 'old/bias', shape: [2], values: [0.25, -5] },
    ];
    await writeFile(path, encodeVersion1(entries));
    await expect(readCheckpoint(path)).rejects.toThrow(ArgumentError);
    await expect(readCheckpoint(path)).rejects.toThrow(
      /^.*old\.ckpt: version: expected 2, received 1 \(a checkpoint of the first format, without a checksum: convert it once with upgradeCheckpointFile\(path\)/,
    );
    expect(await upgradeCheckpointFile(path)).toBe(true);
    expect(await upgradeCheckpointFile(path)).toBe(false);
    const read = await readCheckpoint(path);
    expect(read.map((e) => [e.name, e.shape, [...e.values]])).toEqual(
      entries.map((e) => [e.name, e.shape, e.values.map((v) => Math.fround(v))]),
    );
    const whole = encodeVersion1(entries);
    expect(() => upgradeCheckpoint(whole.subarray(0, whole.length - 4), 'cut.ckpt')).toThrow(
      /^cut\.ckpt: payload: expected \d+ bytes.*\(truncated\)$/,
    );
    expect(() => upgradeCheckpoint(whole.subarray(0, 60), 'cut.ckpt')).toThrow(/^cut\.ckpt: manifest: expected \d+ bytes of manifest/);
    const withNaN = encodeVersion1([{ name: 'n', shape: [1], values: [Number.NaN] }]);
    expect(() => upgradeCheckpoint(withNaN, 'nan.ckpt')).toThrow(/^nan\.ckpt: variables\["n"\]\.values\[0\]: expected a finite number/);
  });

  it('writes and reads entries without tfjs (writeCheckpoint / readCheckpoint)', async () => {
    const path = join(folder, 'entries.ckpt');
    await writeCheckpoint(path, [{ name: 'e', shape: [2], values: Float32Array.of(-0.5, 3) }]);
    expect(await readCheckpoint(path)).toEqual([{ name: 'e', shape: [2], values: Float32Array.of(-0.5, 3) }]);
  });
});
