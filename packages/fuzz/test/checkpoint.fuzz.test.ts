import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCheckpoint, saveVariables } from '@offramp/train';
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED, Tally } from './tally.js';

type Damage =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'append'; bytes: Uint8Array }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'splice'; at: number; bytes: Uint8Array };

function damageBytes(original: Uint8Array, d: Damage): Uint8Array {
  const bytes = original.slice();
  const at = 'at' in d ? d.at % bytes.length : 0;
  switch (d.kind) {
    case 'flip':
      bytes[at]! ^= 1 << d.bit;
      return bytes;
    case 'truncate':
      return bytes.subarray(0, at);
    case 'append':
      return new Uint8Array([...bytes, ...d.bytes]);
    case 'bytes':
      return d.bytes;
    case 'splice':
      bytes.set(d.bytes.subarray(0, bytes.length - at), at);
      return bytes;
  }
}

describe('fuzzed checkpoints', () => {
  let dir: string;
  let original: Uint8Array;
  let values: Map<string, number[]>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'offramp-fuzz-checkpoint-'));
    const variables = [
      tf.variable(tf.tensor2d([[0.5, -0.993], [2, 3]]), true, 'dense/kernel'),
      tf.variable(tf.tensor1d([0.1, -0.2]), true, 'dense/bias'),
      tf.variable(tf.scalar(4), true, 'scale'),
    ];
    const path = join(dir, 'original.ckpt');
    await saveVariables(path, variables);
    original = new Uint8Array(await readFile(path));
    values = new Map((await readCheckpoint(path)).map((e) => [e.name, Array.from(e.values)]));
    for (const v of variables) v.dispose();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('are refused with a typed error, or read back exactly the saved values: corruption never passes unnoticed', async () => {
    const damage: fc.Arbitrary<Damage> = fc.oneof(
      { weight: 4, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat({ max: 7 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('bytes' as const), bytes: fc.uint8Array({ maxLength: 200 }) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }) },
    );
    const tally = new Tally('checkpoint');
    let changed = 0;
    let n = 0;
    await fc.assert(
      fc.asyncProperty(damage, async (d) => {
        const damaged = damageBytes(original, d);
        const path = join(dir, `case${n++}.ckpt`);
        await writeFile(path, damaged);
        const entries = await tally.record(() => readCheckpoint(path));
        const same = entries?.length === values.size && entries.every((e) => JSON.stringify(Array.from(e.values)) === JSON.stringify(values.get(e.name)));
        if (entries && !same) changed++;
        await rm(path, { force: true });
      }),
      { seed: SEED, numRuns: 1000 },
    );
    tally.finish({ acceptedWithOtherValues: changed });
    expect(changed).toBe(0);
  });
});
