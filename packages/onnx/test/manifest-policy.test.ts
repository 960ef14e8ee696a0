import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMlpBackbone, useWasmBackend } from '@offramp/backbones';
import {
  ArgumentError,
  ConfigError,
  CountMismatchError,
  collectTrace,
  computeExitCosts,
  type Engine,
  evaluateTrace,
  GateOptionsError,
  GateRegistry,
  runEarlyExit,
  runEarlyExitPooled,
  scoreTrace,
  ThresholdRangeError,
  UnknownGateError,
} from '@offramp/core';
import { jeiGate, registerBuiltinGates } from '@offramp/gates';
import { createLinearHead } from '@offramp/heads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportNetwork } from '../src/export.js';
import {
  checkManifest,
  policyFromManifest,
  type OnnxBundle,
  OnnxEngine,
  type OnnxManifest,
  type OnnxValue,
} from '../src/index.js';
import { readOnnxBundle, writeOnnxBundle } from '../src/node.js';
import { nodeRuntime, uniform } from './helpers.js';

const N = 60;
const CLASSES = 3;
const INPUT_SHAPE = [5, 4];
const JEI = {
  weights: [
    [6, -2, 3, 1],
    [4, -1, 2, 0],
  ],
  biases: [-2.3, -2.2],
};

function registry(): GateRegistry {
  const r = new GateRegistry();
  registerBuiltinGates(r);
  return r;
}

/** Counts engine values made and not disposed. */
function counting(engine: OnnxEngine): Engine<OnnxValue> & { live(): number } {
  const owned = new Set<OnnxValue>();
  const track = (v: OnnxValue) => {
    owned.add(v);
    return v;
  };
  return {
    exits: engine.exits,
    classes: engine.classes,
    inputShape: engine.inputShape,
    fromHost: (d, b) => track(engine.fromHost(d, b)),
    runStage: async (l, x) => track(await engine.runStage(l, x)),
    runHead: (l, h) => engine.runHead(l, h),
    take: (x, rows) => track(engine.take(x, rows)),
    toHost: (x) => engine.toHost(x),
    concat: (parts) => track(engine.concat(parts)),
    dispose: (x) => {
      owned.delete(x);
      engine.dispose(x);
    },
    live: () => owned.size,
  };
}

describe('a learned gate exported with the bundle', () => {
  let dir: string;
  let bundle: OnnxBundle;
  let served: OnnxEngine;
  let input: Float32Array;
  let release: () => void = () => {};

  beforeAll(async () => {
    await useWasmBackend();
    const backbone = createMlpBackbone({ inputShape: INPUT_SHAPE, hidden: [16, 12, 10], seed: 8 });
    const heads = backbone.stages.map((s, l) =>
      createLinearHead({ inputShape: s.outputShape, classes: CLASSES, seed: 30 + l }),
    );
    release = () => {
      backbone.dispose();
      for (const h of heads) h.dispose();
    };
    const exported = exportNetwork({
      inputShape: INPUT_SHAPE,
      classes: CLASSES,
      stages: backbone.stages,
      heads,
      policy: { gate: 'jei', options: JEI, thresholds: [0.5, 0.45] },
      calibration: { temperatures: [1, 1.2, 0.9] },
    });
    dir = await mkdtemp(join(tmpdir(), 'onnx-gate-'));
    await writeOnnxBundle(dir, exported);
    bundle = await readOnnxBundle(dir);
    served = await OnnxEngine.create(await nodeRuntime(), bundle);
    input = uniform(N * 20, 4);
  });
  afterAll(async () => {
    await served?.release();
    release();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the policy (gate, options, thresholds) and calibration in manifest.json', async () => {
    const json = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as OnnxManifest;
    expect(json.policy).toEqual({ gate: 'jei', options: JEI, thresholds: [0.5, 0.45] });
    expect(bundle.manifest.calibration).toEqual({ temperatures: [1, 1.2, 0.9] });
  });

  it('serves with the rebuilt gate exactly as trace evaluation with the original gate, sample for sample', async () => {
    const policy = policyFromManifest(bundle.manifest, registry());
    expect(policy.gate.name).toBe('jei');
    expect(Array.from(policy.thresholds)).toEqual([0.5, 0.45]);
    const original = jeiGate.create(JEI, { exits: 3, classes: CLASSES });
    const costs = computeExitCosts({
      stageMacs: bundle.manifest.macs.stages,
      headMacs: bundle.manifest.macs.heads,
      gateMacs: [0, 1, 2].map((l) => original.macs(l)),
    });
    expect(policy.costs).toEqual(costs);

    const trace = await collectTrace(served, input, N, { batchSize: 16 });
    const scores = scoreTrace(trace, original, costs);
    expect(scoreTrace(trace, policy.gate, policy.costs)).toEqual(scores);
    const expected = evaluateTrace(trace, original, [0.5, 0.45], costs);
    // The weights were chosen so that samples leave at every exit.
    for (let l = 0; l < 3; l++) expect(expected.exit.includes(l)).toBe(true);

    for (const batch of [1, 7, N]) {
      const exits: number[] = [];
      const predictions: number[] = [];
      const logits: number[] = [];
      for (let start = 0; start < N; start += batch) {
        const count = Math.min(batch, N - start);
        const r = await runEarlyExit(served, policy, input.subarray(start * 20, (start + count) * 20), count);
        exits.push(...r.exit);
        predictions.push(...r.prediction);
        logits.push(...r.logits);
      }
      expect(exits).toEqual(Array.from(expected.exit));
      expect(predictions).toEqual(Array.from(expected.prediction));
      expect(logits).toEqual(Array.from(expected.logits));
    }

    // Pooled across batches on the same engine: the same exits and outputs, every value disposed.
    const engine = counting(served);
    const batches = Array.from({ length: N / 6 }, (_, k) => ({ input: input.subarray(k * 120, (k + 1) * 120), batch: 6 }));
    const pooled = await runEarlyExitPooled(engine, policy, batches, { minRows: 16 });
    expect(Array.from(pooled.exit)).toEqual(Array.from(expected.exit));
    expect(Array.from(pooled.prediction)).toEqual(Array.from(expected.prediction));
    expect(Array.from(pooled.logits)).toEqual(Array.from(expected.logits));
    expect(engine.live()).toBe(0);
  });

  it('gives hidden-state gates the per-stage feature sizes', () => {
    const manifest: OnnxManifest = {
      ...bundle.manifest,
      policy: {
        gate: 'hidden-state',
        options: { weights: [new Array(16).fill(0.1), new Array(12).fill(-0.1)], biases: [0, 1] },
        thresholds: [0.5, 0.5],
      },
    };
    const { gate } = policyFromManifest(checkManifest(manifest), registry());
    expect(gate.macs(0)).toBe(17);
    expect(gate.macs(1)).toBe(13);
    const wrongSize = { ...manifest, policy: { gate: 'hidden-state', options: { weights: [[1], [1]], biases: [0, 0] } } };
    expect(() => policyFromManifest(wrongSize, registry())).toThrow(GateOptionsError);
  });

  it('an unknown gate name or bad options give the typed core errors, naming the field', async () => {
    const unknown = { ...bundle.manifest, policy: { gate: 'no-such-gate', thresholds: [0.5, 0.5] } };
    const error = (() => {
      try {
        policyFromManifest(checkManifest(unknown), registry());
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UnknownGateError);
    expect((error as UnknownGateError).field).toBe('manifest.policy.gate');
    // jei is not in a registry that lacks it
    expect(() => policyFromManifest(bundle.manifest, new GateRegistry())).toThrow(UnknownGateError);

    const badOptions = { ...bundle.manifest, policy: { gate: 'jei', options: { weights: 'heavy', biases: [0, 0] } } };
    expect(() => policyFromManifest(checkManifest(badOptions), registry())).toThrow(GateOptionsError);
    expect(() => policyFromManifest(checkManifest(badOptions), registry())).toThrow(/manifest\.policy\.options\.weights/);
    const extraKey = { ...bundle.manifest, policy: { gate: 'jei', options: { ...JEI, temperature: 2 } } };
    expect(() => policyFromManifest(extraKey, registry())).toThrow(GateOptionsError);
    const outOfRange = { ...bundle.manifest, policy: { gate: 'jei', options: JEI, thresholds: [0.5, 1.5] } };
    expect(() => policyFromManifest(outOfRange, registry())).toThrow(ThresholdRangeError);
    expect(() => policyFromManifest(outOfRange, registry())).toThrow(/^manifest\.policy\.thresholds\[1\]: /);

    expect(() => policyFromManifest({ ...bundle.manifest, policy: undefined }, registry())).toThrow(ArgumentError);
  });

  it('validates the policy entry when the manifest is read', async () => {
    const write = async (manifest: unknown) => {
      await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
      return readOnnxBundle(dir).catch((e: unknown) => e);
    };
    const good = bundle.manifest;
    const notObject = await write({ ...good, policy: 'jei' });
    expect(notObject).toBeInstanceOf(ConfigError);
    expect((notObject as ConfigError).field).toBe('manifest.policy');
    const noName = await write({ ...good, policy: { options: JEI } });
    expect((noName as ConfigError).field).toBe('manifest.policy.gate');
    const misspelt = await write({ ...good, policy: { gate: 'jei', options: JEI, threshold: [0.5, 0.5] } });
    expect((misspelt as ConfigError).field).toBe('manifest.policy.threshold');
    const count = await write({ ...good, policy: { gate: 'jei', options: JEI, thresholds: [0.5] } });
    expect(count).toBeInstanceOf(CountMismatchError);
    expect((count as CountMismatchError).field).toBe('manifest.policy.thresholds');
    const badCalibration = await write({ ...good, calibration: [1, 2] });
    expect((badCalibration as ArgumentError).field).toBe('manifest.calibration');
    await writeOnnxBundle(dir, bundle);
    // Options that are not plain finite JSON data are refused when building the bundle.
    expect(() => checkManifest({ ...good, policy: { gate: 'jei', options: { weights: [[Number.NaN]] } } })).toThrow(
      /manifest\.policy\.options\.weights\[0\]\[0\]: expected a finite number/,
    );
    expect(() => checkManifest({ ...good, policy: { gate: 'jei', options: { biases: new Float32Array(2) } } })).toThrow(
      GateOptionsError,
    );
  });
});
