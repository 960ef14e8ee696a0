import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { collectTrace } from '@offramp/core';
import { loadNodeRuntime, OnnxEngine, type OnnxBundle } from '@offramp/onnx';
import { MANIFEST_FILE, readOnnxBundle, writeOnnxBundle } from '@offramp/onnx/node';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyBundle, tinyInputs } from '../../serve/test/tiny-network.js';
import { jsonMutations } from './mutations.js';
import { SEED, Tally } from './tally.js';

const N = 8;
const inputs = tinyInputs(N);

type Damage =
  | { kind: 'manifest'; text: string }
  | { kind: 'flip'; file: number; at: number; bit: number }
  | { kind: 'truncate'; file: number; at: number }
  | { kind: 'swap'; a: number; b: number };

/** Every logit the bundle gives: each exit's, and the full graph's. */
async function answers(bundle: OnnxBundle): Promise<Float32Array[]> {
  const engine = await OnnxEngine.create(await loadNodeRuntime(), bundle);
  try {
    const trace = await collectTrace(engine, inputs, N);
    return [...trace.logits, await engine.runFull(inputs, N)];
  } finally {
    await engine.release();
  }
}

describe('fuzzed ONNX bundles', () => {
  let root: string;
  let original: string;
  let files: string[];
  let reference: Float32Array[];
  let manifest: unknown;
  let originalBundle: OnnxBundle;
  const unchanged = (read: OnnxBundle): boolean =>
    isDeepStrictEqual(read.manifest, originalBundle.manifest) &&
    Object.entries(read.files).every(([name, bytes]) => Buffer.compare(bytes, originalBundle.files[name] ?? new Uint8Array()) === 0);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'offramp-fuzz-bundle-'));
    original = join(root, 'original');
    await writeOnnxBundle(original, tinyBundle());
    const read = await readOnnxBundle(original);
    files = Object.keys(read.files).sort();
    manifest = JSON.parse(await readFile(join(original, MANIFEST_FILE), 'utf8'));
    reference = await answers(read);
    originalBundle = read;
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('are refused with a typed error, or answer exactly as the original: never a wrong answer', async () => {
    const damage: fc.Arbitrary<Damage> = fc.oneof(
      { weight: 3, arbitrary: jsonMutations(manifest).map((text) => ({ kind: 'manifest' as const, text })) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('flip' as const), file: fc.nat(), at: fc.nat(), bit: fc.nat({ max: 7 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), file: fc.nat(), at: fc.nat() }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }) },
    );
    const tally = new Tally('bundle');
    let wrong = 0;
    let n = 0;
    await fc.assert(
      fc.asyncProperty(damage, async (d) => {
        const dir = join(root, `case${n++}`);
        await cp(original, dir, { recursive: true });
        const fileAt = (i: number) => join(dir, files[i % files.length]!);
        if (d.kind === 'manifest') await writeFile(join(dir, MANIFEST_FILE), d.text);
        else if (d.kind === 'flip' || d.kind === 'truncate') {
          const bytes = await readFile(fileAt(d.file));
          const at = d.at % bytes.length;
          if (d.kind === 'flip') bytes[at]! ^= 1 << d.bit;
          await writeFile(fileAt(d.file), d.kind === 'flip' ? bytes : bytes.subarray(0, at));
        } else {
          const [a, b] = [await readFile(fileAt(d.a)), await readFile(fileAt(d.b))];
          await writeFile(fileAt(d.a), b);
          await writeFile(fileAt(d.b), a);
        }
        const got = await tally.record(async () => {
          const read = await readOnnxBundle(dir);
          // The original's bytes and manifest answer as the original: only what differs needs onnxruntime.
          return unchanged(read) ? reference : answers(read);
        });
        if (got && !got.every((logits, i) => logits.length === reference[i]!.length && logits.every((v, k) => v === reference[i]![k]))) wrong++;
        await rm(dir, { recursive: true, force: true });
      }),
      { seed: SEED, numRuns: 150 },
    );
    tally.finish({ acceptedWithOtherAnswers: wrong });
    expect(wrong).toBe(0);
  });
});
