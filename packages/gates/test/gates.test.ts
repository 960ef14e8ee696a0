import {
  type ExitRecord,
  type ExitSignal,
  type Gate,
  type GateContext,
  GateOptionsError,
  type GatePlugin,
  validateGateOptions,
} from '@offramp/core';
import { describe, expect, it } from 'vitest';
import {
  entropyGate,
  entropyToScoreThreshold,
  marginGate,
  maxProbGate,
  patienceGate,
  powerEntropyGate,
  scoreToEntropyThreshold,
} from '../src/index.js';
import { catchError } from './catch-error.js';

const context: GateContext = { exits: 4, classes: 3 };
const ln = Math.log;

function signal(probs: number[], extra: Partial<ExitSignal> = {}): ExitSignal {
  const p = new Float32Array(probs);
  return {
    exit: 0,
    exits: context.exits,
    batch: p.length / context.classes,
    classes: context.classes,
    logits: p.map((x) => Math.log(x)),
    probs: p,
    cost: 0.25,
    ...extra,
  };
}

/** Validates the options with the plugin's schema, then creates the gate (as a registry does). */
function create<Options>(plugin: GatePlugin<Options>, options: unknown = {}): Gate {
  return plugin.create(validateGateOptions(plugin, options), context);
}

// Rows: p = [0.7, 0.2, 0.1], uniform, one-hot.
const rows = [0.7, 0.2, 0.1, 1 / 3, 1 / 3, 1 / 3, 0, 0, 1];

describe('max-prob', () => {
  const gate = create(maxProbGate);
  it('scores max_c p_c', () => {
    const s = gate.score(signal(rows));
    expect(s[0]).toBeCloseTo(0.7, 6);
    expect(s[1]).toBeCloseTo(1 / 3, 6);
    expect(s[2]).toBe(1);
  });
  it('has range [0, 1], default 0.9, C MACs, no needs', () => {
    expect(gate.range).toEqual({ min: 0, max: 1 });
    expect(gate.defaultThreshold).toBe(0.9);
    expect(gate.macs(0)).toBe(3);
    expect(gate.needs).toEqual([]);
  });
});

describe('margin', () => {
  const gate = create(marginGate);
  it('scores p(1) - p(2)', () => {
    const s = gate.score(signal(rows));
    expect(s[0]).toBeCloseTo(0.5, 6);
    expect(s[1]).toBeCloseTo(0, 6);
    expect(s[2]).toBe(1);
  });
  it('has range [0, 1], default 0.5, 2C MACs', () => {
    expect(gate.range).toEqual({ min: 0, max: 1 });
    expect(gate.defaultThreshold).toBe(0.5);
    expect(gate.macs(1)).toBe(6);
  });
});

describe('entropy', () => {
  const gate = create(entropyGate);
  it('scores 1 - H(p) / ln 3: hand value, uniform 0, one-hot 1', () => {
    const h = -(0.7 * ln(0.7) + 0.2 * ln(0.2) + 0.1 * ln(0.1));
    const s = gate.score(signal(rows));
    expect(s[0]).toBeCloseTo(1 - h / ln(3), 6);
    expect(s[0]).toBeCloseTo(0.2701533, 6);
    expect(s[1]).toBeCloseTo(0, 6);
    expect(s[2]).toBe(1);
  });
  it('has range [0, 1], default 0.8, 2C MACs', () => {
    expect(gate.range).toEqual({ min: 0, max: 1 });
    expect(gate.defaultThreshold).toBe(0.8);
    expect(gate.macs(0)).toBe(6);
  });
  it('maps entropy thresholds to score thresholds and back', () => {
    expect(entropyToScoreThreshold(0, 3)).toBe(1);
    expect(entropyToScoreThreshold(ln(3), 3)).toBeCloseTo(0, 12);
    expect(entropyToScoreThreshold(0.5 * ln(10), 10)).toBeCloseTo(0.5, 12);
    expect(scoreToEntropyThreshold(0.8, 3)).toBeCloseTo(0.2 * ln(3), 12);
    expect(scoreToEntropyThreshold(entropyToScoreThreshold(0.3, 4), 4)).toBeCloseTo(0.3, 12);
    // score >= t exactly when H <= tau: p = [0.7, 0.2, 0.1] has H = 0.8018...
    const s = gate.score(signal([0.7, 0.2, 0.1]))[0]!;
    expect(s >= entropyToScoreThreshold(0.81, 3)).toBe(true);
    expect(s >= entropyToScoreThreshold(0.79, 3)).toBe(false);
  });
  it('rejects entropy thresholds outside [0, ln C] and bad class counts', () => {
    expect(catchError(() => entropyToScoreThreshold(2, 3))).toMatchObject({ code: 'ARGUMENT_INVALID', field: 'entropy' });
    expect(catchError(() => scoreToEntropyThreshold(1.5, 3))).toMatchObject({ field: 'score', received: '1.5' });
    expect(catchError(() => scoreToEntropyThreshold(0.5, 1))).toMatchObject({ field: 'classes' });
  });
});

describe('power-entropy', () => {
  const gate = create(powerEntropyGate);
  it('scores 1 - H(q) / ln 3 with q = p^2 / sum p^2', () => {
    const q = [0.49 / 0.54, 0.04 / 0.54, 0.01 / 0.54];
    const h = -q.reduce((sum, x) => sum + x * ln(x), 0);
    const s = gate.score(signal(rows));
    expect(s[0]).toBeCloseTo(1 - h / ln(3), 6);
    expect(s[0]).toBeCloseTo(0.6770207, 6);
    expect(s[1]).toBeCloseTo(0, 6);
    expect(s[2]).toBe(1);
  });
  it('has range [0, 1], default 0.8, 4C MACs', () => {
    expect(gate.range).toEqual({ min: 0, max: 1 });
    expect(gate.defaultThreshold).toBe(0.8);
    expect(gate.macs(0)).toBe(12);
  });
});

describe('patience', () => {
  const record = (exit: number, probs: number[]): ExitRecord => {
    const p = new Float32Array(probs);
    return { exit, probs: p, logits: p.map((x) => Math.log(x + 1e-9)) };
  };
  // Four samples; argmax per exit: sample 0: 0,0,0 -> current 0; sample 1: 1,0,0 -> 0;
  // sample 2: 0,1,0 -> 0; sample 3: 2,2,2 -> 1.
  const history = [
    record(0, [0.8, 0.1, 0.1, 0.2, 0.7, 0.1, 0.5, 0.3, 0.2, 0.1, 0.1, 0.8]),
    record(1, [0.6, 0.3, 0.1, 0.5, 0.4, 0.1, 0.2, 0.6, 0.2, 0.2, 0.2, 0.6]),
    record(2, [0.9, 0.05, 0.05, 0.7, 0.2, 0.1, 0.4, 0.35, 0.25, 0.3, 0.3, 0.4]),
  ];
  const current = [0.5, 0.4, 0.1, 0.6, 0.3, 0.1, 0.8, 0.1, 0.1, 0.2, 0.5, 0.3];

  it('counts consecutive earlier exits agreeing with the current argmax', () => {
    const gate = create(patienceGate);
    const s = gate.score(signal(current, { exit: 3, exits: 5, history }));
    // sample 0: exits 2, 1, 0 agree -> 3; sample 1: exits 2, 1 agree, 0 does not -> 2;
    // sample 2: exit 2 agrees, exit 1 does not (exit 0 agrees but the streak is broken) -> 1;
    // sample 3: exit 2 predicts 2, current 1 -> 0.
    expect(Array.from(s)).toEqual([3, 2, 1, 0]);
  });

  it('scores 0 at the first exit (empty history)', () => {
    const gate = create(patienceGate);
    expect(Array.from(gate.score(signal(current, { history: [] })))).toEqual([0, 0, 0, 0]);
  });

  it('needs history, ranges over [0, exits - 1], uses patience as the default threshold', () => {
    const gate = create(patienceGate, { patience: 3 });
    expect(gate.needs).toEqual(['history']);
    expect(gate.range).toEqual({ min: 0, max: 3 });
    expect(gate.defaultThreshold).toBe(3);
    expect(create(patienceGate).defaultThreshold).toBe(2);
    expect(gate.macs(2)).toBe(3 + 2);
  });

  it('throws a typed error when the history is missing or misaligned', () => {
    const gate = create(patienceGate);
    expect(catchError(() => gate.score(signal(current)))).toMatchObject({ field: 'signal.history' });
    const short = [record(0, [0.8, 0.1, 0.1])];
    expect(catchError(() => gate.score(signal(current, { history: short })))).toMatchObject({
      field: 'signal.history[0].probs.length',
      received: '3',
    });
  });

  it('rejects a patience larger than exits - 1 when created', () => {
    const error = catchError(() => patienceGate.create({ patience: 4 }, context));
    expect(error).toBeInstanceOf(GateOptionsError);
    expect(error).toMatchObject({ field: 'options.patience', received: '4' });
  });
});
