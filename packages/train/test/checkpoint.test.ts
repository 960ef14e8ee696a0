import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ArgumentError, CountMismatchError, InputShapeError } from '@offramp/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHECKPOINT_MAGIC,
  checkpointExists,
  decodeCheckpoint,
  encodeCheckpoint,
  loadVariables,
  readCheckpoint,
  saveVariables,
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

  it('writes the documented layout: magic, version 1, manifest length, manifest, float32 payload', async () => {
    const bytes = await readFile(await saved('layout.ckpt'));
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(bytes.subarray(0, 8).toString()).toBe(CHECKPOINT_MAGIC);
    expect(view.getUint32(8, true)).toBe(1);
    const manifestLength = view.getUint32(12, true);
    const manifest = JSON.parse(bytes.subarray(16, 16 + manifestLength).toString());
    expect(manifest.variables).toEqual([
      { name: 'saved/kernel', shape: [4, 2], dtype: 'float32', offset: 0 },
      { name: 'saved/bias', shape: [2], dtype: 'float32', offset: 32 },
    ]);
    const payload = Math.ceil((16 + manifestLength) / 4) * 4;
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
    await expect(readCheckpoint(path)).rejects.toThrow(/manifest: expected \d+ bytes of manifest/);
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

  it('rejects bad magic, another version and a damaged manifest', async () => {
    const bytes = await readFile(await saved('magic.ckpt'));
    const wrongMagic = Uint8Array.from(bytes);
    wrongMagic.set(new TextEncoder().encode('PK\u0003\u0004'), 0);
    expect(() => decodeCheckpoint(wrongMagic, 'model.ckpt')).toThrow(ArgumentError);
    expect(() => decodeCheckpoint(wrongMagic, 'model.ckpt')).toThrow(/^model\.ckpt: magic: expected "OFRMPCKP"/);
    const wrongVersion = Uint8Array.from(bytes);
    new DataView(wrongVersion.buffer).setUint32(8, 9, true);
    expect(() => decodeCheckpoint(wrongVersion)).toThrow(/^checkpoint: version: expected 1, received 9/);
    const damaged = Uint8Array.from(bytes);
    damaged[16] = 0x5b; // '[' where the manifest's '{' was: valid JSON start, broken document
    expect(() => decodeCheckpoint(damaged)).toThrow(/manifest: expected a JSON manifest/);
  });

  it('checks the manifest fields one by one', () => {
    const encode = (variables: unknown): Uint8Array => {
      const json = new TextEncoder().encode(JSON.stringify({ variables }));
      const bytes = new Uint8Array(Math.ceil((16 + json.length) / 4) * 4 + 8);
      bytes.set(new TextEncoder().encode(CHECKPOINT_MAGIC));
      new DataView(bytes.buffer).setUint32(8, 1, true);
      new DataView(bytes.buffer).setUint32(12, json.length, true);
      bytes.set(json, 16);
      return bytes;
    };
    const good = { name: 'a', shape: [2], dtype: 'float32', offset: 0 };
    expect(decodeCheckpoint(encode([good]))[0]!.values).toEqual(new Float32Array(2));
    expect(() => decodeCheckpoint(encode([{ ...good, shape: [-2] }]))).toThrow(/variables\[0\]\.shape/);
    expect(() => decodeCheckpoint(encode([{ ...good, dtype: 'int32' }]))).toThrow(/variables\[0\]\.dtype/);
    expect(() => decodeCheckpoint(encode([{ ...good, offset: 4 }]))).toThrow(/variables\[0\]\.offset: expected 0/);
    expect(() => decodeCheckpoint(encode([{ ...good, name: 3 }]))).toThrow(/variables\[0\]\.name/);
    expect(() => decodeCheckpoint(encode({}))).toThrow(/manifest\.variables: expected a list/);
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
