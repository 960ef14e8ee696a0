import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectTrace, evaluateTrace, runEarlyExit } from '@offramp/core';
import { loadMnistDigits, splitDataset } from '@offramp/data';
import { builtinGateRegistry } from '@offramp/gates';
import { CompiledEarlyExit, loadNodeRuntime, OnnxEngine, policyFromManifest } from '@offramp/onnx';
import { readOnnxBundle } from '@offramp/onnx/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttachedTiming, AttachResults, EvaluationReport, InspectReport } from '../src/index.js';
import { writeNpz } from './npz-writer.js';

const PACKAGE = join(import.meta.dirname, '..');
const MAIN = join(PACKAGE, 'dist/main.js');
const MODEL = join(PACKAGE, '../onnx/test/fixtures/torch-cnn.onnx');
const EXITS = '/stages.0/MaxPool_output_0,/stages.1/Transpose_output_0,/stages.2/Relu_output_0';

let dir: string;
let testImages: Float32Array;
let testN: number;

function offramp(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 600_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

beforeAll(async () => {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: PACKAGE, stdio: 'inherit' });
  dir = await mkdtemp(join(tmpdir(), 'offramp-cli-'));
  const split = splitDataset(await loadMnistDigits(), { train: 600, validation: 400, test: 300, seed: 5 });
  // Three layouts the command accepts: NHWC float, [N, H, W] uint8, NCHW float.
  const { train, validation, test } = split;
  await writeNpz(join(dir, 'train.npz'), {
    images: { data: train.images, shape: [train.n, 28, 28, 1] },
    labels: { data: train.labels, shape: [train.n] },
  });
  await writeNpz(join(dir, 'val.npz'), {
    images: { data: Uint8Array.from(validation.images, (v) => Math.round(v * 255)), shape: [validation.n, 28, 28] },
    labels: { data: Uint8Array.from(validation.labels), shape: [validation.n] },
  });
  await writeNpz(join(dir, 'test.npz'), {
    images: { data: test.images, shape: [test.n, 1, 28, 28] },
    labels: { data: BigInt64Array.from(test.labels, (l) => BigInt(l)), shape: [test.n] },
  });
  testImages = test.images;
  testN = test.n;
}, 300_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('offramp inspect (the built command)', () => {
  it('prints the report as JSON', () => {
    const run = offramp('inspect', MODEL, '--json');
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as InspectReport;
    expect(report.suggested).toHaveLength(3);
    expect(report.candidates).toContain('/stages.1/Transpose_output_0');
  });
});

describe('offramp attach (the built command)', () => {
  it('writes a bundle whose early exit matches trace evaluation sample for sample', async () => {
    const out = join(dir, 'bundle');
    const run = offramp('attach', MODEL, '--exits', EXITS, '--train', join(dir, 'train.npz'), '--val', join(dir, 'val.npz'),
      '--test', join(dir, 'test.npz'), '--risk', '0.05', '--epochs', '12', '--timing-samples', '64', '--out', out);
    expect(run.stderr + run.stdout).not.toMatch(/Error/);
    expect(run.status).toBe(0);
    const files = await readdir(out);
    for (const file of ['manifest.json', 'early-exit.onnx', 'results.json', 'report.html']) expect(files).toContain(file);
    // the graphs carry their content's SHA-256 in their names: full.<16 hex>.onnx, stage0.<16 hex>.onnx, ...
    for (const graph of ['full', 'stage0', 'head2']) expect(files.some((f) => new RegExp(`^${graph}\\.[0-9a-f]{16}\\.onnx$`).test(f))).toBe(true);
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as AttachResults;
    expect(results.evaluatedOn).toBe(join(dir, 'test.npz'));
    // The fixture is an untrained torch CNN: its features still carry the digits, the last exit's least.
    expect(results.lastExit.accuracy).toBeGreaterThan(0.3);
    expect(results.exits[0]!.validationAccuracy).toBeGreaterThan(0.6);
    expect(results.earlyExit.exitCounts.reduce((a, b) => a + b, 0)).toBe(testN);
    expect(results.oracle.accuracy).toBeGreaterThanOrEqual(results.earlyExit.accuracy);
    expect(results.reliability).toHaveLength(3);
    // 20% of the 400 validation images fit the temperatures, the other 320 certify.
    expect(results.temperatures).toHaveLength(3);
    expect(results.certified.samples).toBe(320);
    expect(results.timing?.rows.map((r) => r.batch)).toEqual([1, 128]);
    expect(results.timing?.disagreements).toBe(0);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html.match(/<svg/g)?.length).toBe(3);

    const bundle = await readOnnxBundle(out);
    expect(bundle.manifest.policy?.gate).toBe('max-prob');
    const policy = policyFromManifest(bundle.manifest, builtinGateRegistry());
    const runtime = await loadNodeRuntime();
    const engine = await OnnxEngine.create(runtime, bundle);
    const trace = await collectTrace(engine, testImages, testN);
    const expected = evaluateTrace(trace, policy.gate, policy.thresholds, policy.costs);
    const real = await runEarlyExit(engine, policy, testImages, testN);
    expect(Array.from(real.exit)).toEqual(Array.from(expected.exit));
    expect(Array.from(real.prediction)).toEqual(Array.from(expected.prediction));
    const counts = [0, 0, 0];
    for (const e of expected.exit) counts[e]! += 1;
    expect(counts).toEqual(results.earlyExit.exitCounts);
    await engine.release();

    const compiled = await CompiledEarlyExit.create(runtime, new Uint8Array(await readFile(join(out, 'early-exit.onnx'))));
    const fromGraph = await compiled.run(testImages, testN);
    expect(Array.from(fromGraph.exit)).toEqual(Array.from(expected.exit));
    expect(Array.from(fromGraph.prediction)).toEqual(Array.from(expected.prediction));

    const evaluation = offramp('eval', out, '--test', join(dir, 'test.npz'), '--json');
    expect(evaluation.status).toBe(0);
    const report = JSON.parse(evaluation.stdout) as EvaluationReport;
    expect(report.earlyExit).toEqual(results.earlyExit);
    expect(report.disagreements).toEqual({ jsRunner: 0, compiledGraph: 0 });

    const bench = offramp('bench', out, '--data', join(dir, 'test.npz'), '--samples', '40', '--batches', '1,16', '--passes', '1', '--json');
    expect(bench.status).toBe(0);
    const timing = JSON.parse(bench.stdout) as AttachedTiming;
    expect(timing.samples).toBe(40);
    expect(timing.rows.map((r) => r.batch)).toEqual([1, 16]);
    for (const row of timing.rows) {
      expect(row.fullUs).toBeGreaterThan(0);
      expect(row.exitUs).toHaveLength(3);
      expect(row.exitUs[2]).toBeGreaterThan(row.exitUs[0]!);
    }
    expect(timing.disagreements).toBe(0);
  }, 600_000);

  it('trains the JEI-DNN gate (--gate jei): its weights in the manifest, the compiled graph agreeing with trace evaluation', async () => {
    const out = join(dir, 'bundle-jei');
    const run = offramp('attach', MODEL, '--exits', EXITS, '--train', join(dir, 'train.npz'), '--val', join(dir, 'val.npz'),
      '--gate', 'jei', '--risk', '0.05', '--epochs', '4', '--timing-samples', '0', '--out', out);
    expect(run.status).toBe(0);
    const bundle = await readOnnxBundle(out);
    expect(bundle.manifest.policy?.gate).toBe('jei');
    const weights = bundle.manifest.policy?.options as { weights: number[][]; biases: number[] };
    expect(weights.weights).toHaveLength(2);
    expect(weights.biases).toHaveLength(2);
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as AttachResults;
    expect(results.timing).toBeNull();
    const evaluation = offramp('eval', out, '--test', join(dir, 'test.npz'), '--json');
    expect(evaluation.status).toBe(0);
    expect((JSON.parse(evaluation.stdout) as EvaluationReport).disagreements).toEqual({ jsRunner: 0, compiledGraph: 0 });
  }, 600_000);

  it.each(['compiled', 'continuous'])('serves the learned gate over HTTP (offramp serve --policy %s), answering as trace evaluation does', async (policyName) => {
    const out = join(dir, 'bundle-jei');
    const server = spawn(process.execPath, [MAIN, 'serve', out, '--port', '0', '--policy', policyName], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let text = '';
        server.stdout.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          const line = text.split('\n').find((l) => l.includes('"listening"'));
          if (line) resolve((JSON.parse(line) as { url: string }).url);
        });
        server.on('exit', (code) => reject(new Error(`offramp serve exited with ${code}`)));
      });
      const bundle = await readOnnxBundle(out);
      const policy = policyFromManifest(bundle.manifest, builtinGateRegistry());
      const engine = await OnnxEngine.create(await loadNodeRuntime(), bundle);
      const n = 24;
      const expected = evaluateTrace(await collectTrace(engine, testImages.subarray(0, n * 784), n), policy.gate, policy.thresholds, policy.costs);
      await engine.release();
      const answers = await Promise.all(
        Array.from({ length: n }, async (_, i) => {
          const response = await fetch(`${url}/v1/predict`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ input: Array.from(testImages.subarray(i * 784, (i + 1) * 784)) }),
          });
          expect(response.status).toBe(200);
          return (await response.json()) as { prediction: number; exit: number };
        }),
      );
      expect(answers.map((a) => a.exit)).toEqual(Array.from(expected.exit));
      expect(answers.map((a) => a.prediction)).toEqual(Array.from(expected.prediction));
      const stopped = new Promise<number | null>((resolve) => server.on('exit', resolve));
      server.kill('SIGTERM');
      expect(await stopped).toBe(0);
    } finally {
      server.kill('SIGKILL');
    }
  }, 120_000);
});

describe('bad input: exit code 2, a message naming the field, no output folder', () => {
  const attach = (out: string, overrides: Record<string, string> = {}, model = MODEL) => {
    const options = { '--exits': EXITS, '--train': join(dir, 'train.npz'), '--val': join(dir, 'val.npz'), '--out': out, ...overrides };
    return offramp('attach', model, ...Object.entries(options).flat());
  };
  const bad = async (name: string, arrays: Parameters<typeof writeNpz>[1]) => {
    const path = join(dir, name);
    await writeNpz(path, arrays);
    return path;
  };
  const images = (data: Float32Array, n: number) => ({ data, shape: [n, 1, 28, 28] });
  const labels = (values: number[]) => ({ data: Int32Array.from(values), shape: [values.length] });

  it.each([
    ['a missing model', async () => ({ model: join(dir, 'nope.onnx') }), /model.*no file at/],
    ['an exit tensor not in the graph', async () => ({ overrides: { '--exits': 'no/such/tensor' } }), /--exits\[0\].*MaxPool_output_0/],
    ['exits out of order', async () => ({ overrides: { '--exits': '/stages.2/Relu_output_0,/stages.0/MaxPool_output_0' } }), /--exits\[1\].*graph order/],
    ['data of the wrong shape', async () => ({ overrides: { '--train': await bad('shape.npz', { images: { data: new Float32Array(2 * 27 * 27), shape: [2, 27, 27] }, labels: labels([0, 1]) }) } }), /shape\.npz:images/],
    ['labels out of range', async () => ({ overrides: { '--train': await bad('range.npz', { images: images(new Float32Array(2 * 784), 2), labels: labels([3, 10]) }) } }), /range\.npz:labels\[1\]/],
    ['NaN in the data', async () => ({ overrides: { '--val': await bad('nan.npz', { images: images(new Float32Array(2 * 784).fill(Number.NaN), 2), labels: labels([0, 1]) }) } }), /nan\.npz:images\[0\].*NaN/],
    ['a .npz without the arrays', async () => ({ overrides: { '--train': await bad('empty.npz', { x: labels([1]) }) } }), /empty\.npz:images/],
    ['--risk outside (0, 1)', async () => ({ overrides: { '--risk': '1.5' } }), /--risk/],
    ['a dataset name with a bad range', async () => ({ overrides: { '--train': 'mnist:train:500-100' } }), /--train.*start < end <= 7000/],
    ['an unknown part of a named dataset', async () => ({ overrides: { '--val': 'mnist:holdout' } }), /--val.*<name>:<train\|validation\|test>/],
  ] as const)('%s', async (_name, make, message) => {
    const spec: { model?: string; overrides?: Record<string, string> } = await make();
    const out = join(dir, `out-${_name.replace(/\W+/g, '-')}`);
    const run = attach(out, spec.overrides ?? {}, spec.model ?? MODEL);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
    expect((await readdir(dir)).filter((f) => f.includes('.partial-'))).toEqual([]);
  });
});
