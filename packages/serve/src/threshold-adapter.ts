import { riskControlledThresholds } from '@offramp/calibration';
import {
  ArgumentError,
  argmaxRows,
  type ExitCosts,
  exitsFromScores,
  type Gate,
  scoreTrace,
  softmaxRows,
  type Trace,
} from '@offramp/core';

/** The accuracy constraint the server keeps, and how it certifies it (Learn-then-Test). */
export interface AdaptationOptions {
  /** Allowed disagreement with the full model (= bound on the accuracy drop), e.g. 0.01 for 1 point. */
  readonly epsilon: number;
  /** Allowed probability that the certified thresholds break the constraint. */
  readonly delta: number;
  /** Sampled requests kept (a sliding window). */
  readonly window: number;
  /** No thresholds are certified before this many samples. */
  readonly minSamples: number;
  /** Re-certify after this many new samples. */
  readonly every: number;
  /** Evenly spaced candidate thresholds over the gate's range. */
  readonly candidates: number;
}

export const DEFAULT_ADAPTATION: AdaptationOptions = {
  epsilon: 0.01,
  delta: 0.1,
  window: 2000,
  minSamples: 1000,
  every: 100,
  candidates: 200,
};

/** What the server reports about the constraint it currently holds. */
export interface AdaptationStatus {
  readonly constraint: string;
  readonly epsilon: number;
  readonly delta: number;
  /** Sampled requests in the window. */
  readonly samples: number;
  /** Sampled requests seen since start. */
  readonly seen: number;
  readonly thresholds: readonly number[];
  /** 'initial' until the first certification; 'certified' when Learn-then-Test passed; 'full-model' when none passed. */
  readonly state: 'initial' | 'certified' | 'full-model';
  /** Disagreement with the full model of the current thresholds on the window (null before samples). */
  readonly windowDisagreement: number | null;
  /** p-value of the certified thresholds (null unless certified). */
  readonly pValue: number | null;
  readonly updates: number;
}

/**
 * Online threshold adaptation: sampled requests run to the last exit too; their logits at every
 * exit form a sliding-window trace, and every `every` samples the thresholds are re-chosen with
 * riskControlledThresholds (risk 'disagreement' with the last exit): with probability >= 1 - delta,
 * the served predictions disagree with the full model's on at most a fraction epsilon of requests.
 * When no candidate passes, every request runs to the last exit (thresholds +Infinity).
 */
export class ThresholdAdapter {
  readonly #gate: Gate;
  readonly #costs: ExitCosts;
  readonly #classes: number;
  readonly #options: AdaptationOptions;
  readonly #rows: Float32Array[][] = [];
  #thresholds: number[];
  #seen = 0;
  #sinceUpdate = 0;
  #updates = 0;
  #state: AdaptationStatus['state'] = 'initial';
  #pValue: number | null = null;

  constructor(gate: Gate, costs: ExitCosts, classes: number, initial: readonly number[], options: AdaptationOptions) {
    const unsupported = gate.needs.filter((n) => n === 'hidden' || n === 'similarity');
    if (unsupported.length > 0) {
      throw new ArgumentError({
        field: 'gate.needs',
        expected: 'a gate that scores from logits, probabilities or history (the window keeps logits only)',
        received: `gate ${JSON.stringify(gate.name)} needs ${unsupported.join(', ')}`,
      });
    }
    if (initial.length !== costs.exits - 1) {
      throw new ArgumentError({ field: 'initial', expected: `${costs.exits - 1} thresholds`, received: String(initial.length) });
    }
    for (const [field, value, min, max] of [
      ['epsilon', options.epsilon, 0, 1],
      ['delta', options.delta, 0, 1],
    ] as const) {
      if (!(value > min && value < max)) {
        throw new ArgumentError({ field: `adaptation.${field}`, expected: `a number in (${min}, ${max})`, received: String(value) });
      }
    }
    for (const field of ['window', 'minSamples', 'every', 'candidates'] as const) {
      const v = options[field];
      if (!Number.isInteger(v) || v < 1) {
        throw new ArgumentError({ field: `adaptation.${field}`, expected: 'a whole number >= 1', received: String(v) });
      }
    }
    this.#gate = gate;
    this.#costs = costs;
    this.#classes = classes;
    this.#options = options;
    this.#thresholds = [...initial];
  }

  /** The disagreement the server is held to. */
  get epsilon(): number {
    return this.#options.epsilon;
  }

  /** The thresholds to serve with now (one per exit before the last). */
  get thresholds(): readonly number[] {
    return this.#thresholds;
  }

  /** One sampled request: its logits at every exit (each `classes` long). */
  observe(logits: readonly Float32Array[]): void {
    if (logits.length !== this.#costs.exits || logits.some((l) => l.length !== this.#classes)) {
      throw new ArgumentError({
        field: 'logits',
        expected: `${this.#costs.exits} exits x ${this.#classes} logits`,
        received: logits.map((l) => l.length).join(', '),
      });
    }
    this.#rows.push([...logits]);
    if (this.#rows.length > this.#options.window) this.#rows.shift();
    this.#seen++;
    this.#sinceUpdate++;
    if (this.#rows.length >= this.#options.minSamples && this.#sinceUpdate >= this.#options.every) this.update();
  }

  /** The window as a trace (every exit's logits and probabilities). */
  windowTrace(): Trace {
    const n = this.#rows.length;
    const exits = this.#costs.exits;
    const classes = this.#classes;
    const logits = Array.from({ length: exits }, (_, l) => {
      const out = new Float32Array(n * classes);
      this.#rows.forEach((row, i) => {
        out.set(row[l]!, i * classes);
      });
      return out;
    });
    return { n, exits, classes, logits, probs: logits.map((l) => softmaxRows(l, classes)) };
  }

  /** Re-certifies the thresholds on the window now. */
  update(): void {
    this.#sinceUpdate = 0;
    if (this.#rows.length === 0) return;
    const chosen = riskControlledThresholds(this.windowTrace(), this.#gate, this.#costs, {
      risk: 'disagreement',
      epsilon: this.#options.epsilon,
      delta: this.#options.delta,
      candidates: this.#options.candidates,
    });
    this.#updates++;
    if (chosen.thresholds) {
      this.#thresholds = chosen.thresholds;
      this.#state = 'certified';
      this.#pValue = chosen.pValueAtChoice;
    } else {
      this.#thresholds = new Array<number>(this.#costs.exits - 1).fill(Number.POSITIVE_INFINITY);
      this.#state = 'full-model';
      this.#pValue = null;
    }
  }

  /** Disagreement with the last exit, on the window, of the thresholds served now. */
  windowDisagreement(): number | null {
    const n = this.#rows.length;
    if (n === 0) return null;
    const trace = this.windowTrace();
    const exit = exitsFromScores(scoreTrace(trace, this.#gate, this.#costs), this.#thresholds, n);
    const predictions = trace.probs.map((p) => argmaxRows(p, this.#classes));
    const last = trace.exits - 1;
    let disagree = 0;
    for (let i = 0; i < n; i++) if (predictions[exit[i]!]![i] !== predictions[last]![i]) disagree++;
    return disagree / n;
  }

  status(): AdaptationStatus {
    const { epsilon, delta } = this.#options;
    const points = +(epsilon * 100).toFixed(3);
    return {
      constraint: `disagreement with the full model <= ${epsilon} (an accuracy drop of at most ${points} point${points === 1 ? '' : 's'}) with probability >= ${1 - delta}`,
      epsilon,
      delta,
      samples: this.#rows.length,
      seen: this.#seen,
      thresholds: this.#thresholds,
      state: this.#state,
      windowDisagreement: this.windowDisagreement(),
      pValue: this.#pValue,
      updates: this.#updates,
    };
  }
}
