import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useWasmBackend } from '@offramp/backbones';
import { beforeAll, describe, expect, it } from 'vitest';
import { agreeingConfidenceGate } from '../src/custom-gate.js';
import { DEFAULT_DIGITS_OPTIONS, runDigits } from '../src/pipeline.js';
import type { DigitsReport } from '../src/report.js';
import { createDigitsNetwork } from '../src/network.js';
import { GateRegistry, type NetworkConfig } from '@offramp/core';
import { registerBuiltinGates } from '@offramp/gates';

describe('digits main job on a small split', () => {
  let report: DigitsReport;
  let outDir: string;
  let cacheDir: string;
  const lines: string[] = [];
  const options = () => ({
    ...DEFAULT_DIGITS_OPTIONS,
    sizes: { train: 1000, validation: 300, test: 300 },
    epochs: 2,
    headEpochs: 2,
    progress: false,
    maxDrop: 0.02,
    cacheDir,
    outDir,
    log: (line: string) => lines.push(line),
  });

  beforeAll(async () => {
    await useWasmBackend();
    outDir = await mkdtemp(join(tmpdir(), 'digits-out-'));
    cacheDir = await mkdtemp(join(tmpdir(), 'digits-cache-'));
    report = await runDigits(options());
  }, 120_000);

  it('reports every built-in gate and the custom plugin', () => {
    expect(report.gates.map((g) => g.gate).sort()).toEqual(
      ['agreeing-confidence', 'entropy', 'margin', 'max-prob', 'patience', 'power-entropy'].sort(),
    );
  });

  it('learns: the last exit beats chance by far, and the oracle is at least as accurate', () => {
    expect(report.fullModel.accuracy).toBeGreaterThan(0.5);
    expect(report.oracle.accuracy!).toBeGreaterThanOrEqual(report.fullModel.accuracy);
    expect(report.oracle.meanCostVsBackbone).toBeLessThan(1.1);
  });

  it('real early exit agrees with trace evaluation on every test sample for every gate', () => {
    for (const gate of report.gates) {
      if (!gate.runnerAgreement) continue;
      expect(gate.runnerAgreement.agreed, gate.gate).toBe(gate.runnerAgreement.samples);
    }
  });

  it('chosen operating points cost no more than the network with every exit', () => {
    for (const gate of report.gates) {
      if (!gate.test) continue;
      expect(gate.test.meanCost).toBeLessThanOrEqual(1);
      expect(gate.test.exitCounts.reduce((a, b) => a + b, 0)).toBe(300);
    }
  });

  it('reports per-exit calibration: temperatures, ECE with both binnings, reliability diagrams', () => {
    expect(report.calibration).toHaveLength(3);
    for (const exit of report.calibration) {
      expect(exit.temperature).toBeGreaterThan(0);
      for (const ece of [exit.ece.width, exit.ece.mass, exit.eceScaled.width, exit.eceScaled.mass]) {
        expect(ece).toBeGreaterThanOrEqual(0);
        expect(ece).toBeLessThanOrEqual(1);
      }
      expect(exit.diagram.bins.reduce((a, b) => a + b.count, 0)).toBe(300);
      expect(exit.diagram.ece).toBe(exit.ece.width);
    }
  });

  it('certifies risk-controlled thresholds for every gate, shared and per exit, and runs them for real', () => {
    expect(report.riskControlled).toHaveLength(12);
    for (const r of report.riskControlled) {
      expect(r.test.exitCounts.reduce((a, b) => a + b, 0)).toBe(300);
      if (r.thresholds) expect(r.thresholds).toHaveLength(2);
      if (r.runnerAgreement) expect(r.runnerAgreement.agreed, `${r.gate} ${r.mode}`).toBe(r.runnerAgreement.samples);
    }
  });

  it('reports per-exit conformal sets at the max-prob operating point', () => {
    if (!report.conformal) return;
    expect(report.conformal.results).toHaveLength(9);
    for (const { report: r } of report.conformal.results) {
      expect(r.coverage).toBeGreaterThanOrEqual(0);
      expect(r.coverage).toBeLessThanOrEqual(1);
      expect(r.perExit).toHaveLength(3);
    }
  });

  it('writes results JSON, a Markdown table and an SVG plot', async () => {
    const json = JSON.parse(await readFile(join(outDir, 'digits.json'), 'utf8')) as DigitsReport;
    expect(json.gates).toHaveLength(6);
    const svg = await readFile(join(outDir, 'digits-accuracy-cost.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('max-prob');
    const reliability = await readFile(join(outDir, 'digits-reliability.svg'), 'utf8');
    expect(reliability.startsWith('<svg')).toBe(true);
    expect(reliability).toContain('exit 3');
    const table = await readFile(join(outDir, 'digits.md'), 'utf8');
    expect(table).toContain('risk-controlled (shared)');
    expect(table).toContain('| oracle |');
    const config = JSON.parse(await readFile(join(outDir, 'network.json'), 'utf8'));
    expect(config.exits).toBe(3);
    expect(config.heads).toHaveLength(3);
    expect(config.policy.gate).toBe('max-prob');
    expect(config.alternatives).toHaveLength(5);
    // read back, resolved on the trained network and run: every sample as the trace gives
    expect(json.configRoundTrip).toEqual({ agreed: json.data.test, samples: json.data.test });
  });

  it('builds the same network from the config it writes', async () => {
    const written = JSON.parse(await readFile(join(outDir, 'network.json'), 'utf8'));
    const registry = new GateRegistry();
    registerBuiltinGates(registry);
    registry.register(agreeingConfidenceGate);
    const weightsOf = (config?: NetworkConfig) => {
      const network = createDigitsNetwork(3, registry, config);
      try {
        if (config) expect(Array.from(network.policy.thresholds)).toEqual(config.policy.thresholds);
        const variables = [...network.backbone.variables, ...network.heads.flatMap((h) => h.variables)];
        return variables.map((v) => [v.name, Array.from(v.dataSync().slice(0, 4))]);
      } finally {
        network.dispose();
      }
    };
    expect(weightsOf(written)).toEqual(weightsOf());
  });

  it('loads the backbone from the cache on a second run', async () => {
    lines.length = 0;
    const again = await runDigits(options());
    expect(again.training.backboneFromCache).toBe(true);
    expect(again.fullModel.accuracy).toBe(report.fullModel.accuracy);
  }, 120_000);

  it('the custom gate plugin is made with defineGate and scores agreement', () => {
    const gate = agreeingConfidenceGate.create({ requireAgreement: true }, { exits: 3, classes: 2 });
    const probs = Float32Array.from([0.9, 0.1, 0.2, 0.8]);
    const history = [{ exit: 0, logits: new Float32Array(4), probs: Float32Array.from([0.6, 0.4, 0.7, 0.3]) }];
    const scores = gate.score({ exit: 1, exits: 3, batch: 2, classes: 2, logits: probs, probs, cost: 0.5, history });
    expect(scores[0]).toBeCloseTo(0.9, 6); // agrees with class 0
    expect(scores[1]).toBe(0); // switched from class 0 to class 1
  });
});
