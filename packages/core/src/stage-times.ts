import { type ExitCosts, computeExitCosts } from './cost.js';
import type { Engine } from './engine.js';
import { checkWholeNumber } from './shape.js';
import { validateInput } from './input.js';
import { median } from './math.js';
import type { ExitPolicy } from './policy.js';
import { decideAtExit, nextHistory } from './exit-step.js';
import type { ExitRecord } from './signal.js';

/** Per-row time of every part of a network at one batch size, measured on the engine at hand. */
export interface StageTimes {
  readonly batch: number;
  /** Seconds per row of stage l with its exit head (one fused call where the engine fuses them). */
  readonly stageSeconds: readonly number[];
  /** Seconds per row of the exit step around the head at exit l: softmax, the gate's score, the decision. */
  readonly gateSeconds: readonly number[];
}

export interface StageTimeOptions {
  /** Timed repetitions per part; the median is kept. Default 7. */
  readonly repetitions?: number;
  /** Untimed runs first (the first call at a new shape allocates). Default 2. */
  readonly warmup?: number;
  readonly now?: () => number;
}

/**
 * Measures, at `batch` rows, each stage with its head and each exit step (the policy's gate and
 * decision) per row on `engine`: warm-up runs first, then the median of `repetitions` timed runs.
 * Every row runs every stage (the gate's decisions are computed, not acted on), so each stage sees
 * a full batch: the cost of a stage when `batch` rows reach it. `input` holds `batch` rows. The
 * gate's time is the exit step's (softmax, features to the host when the gate needs them, the
 * score and the decision) beyond the head's.
 */
export async function measureStageTimes<T>(
  engine: Engine<T>,
  policy: ExitPolicy,
  input: Float32Array,
  batch: number,
  options: StageTimeOptions = {},
): Promise<StageTimes> {
  validateInput(input, batch, engine.inputShape);
  const repetitions = options.repetitions ?? 7;
  const warmup = options.warmup ?? 2;
  checkWholeNumber(repetitions, 1, 'options.repetitions');
  checkWholeNumber(warmup, 0, 'options.warmup');
  const now = options.now ?? (() => performance.now() / 1000);
  const stage: number[][] = Array.from({ length: engine.exits }, () => []);
  const gate: number[][] = Array.from({ length: engine.exits }, () => []);
  const everyRow = Array.from({ length: batch }, (_, i) => i);
  for (let r = 0; r < warmup + repetitions; r++) {
    let x: T | undefined = await engine.fromHost(input, batch);
    let history: ExitRecord[] = [];
    let previousHidden: Float32Array | undefined = policy.needs.similarity ? input : undefined;
    try {
      for (let l = 0; l < engine.exits; l++) {
        const started = now();
        const h: T = await engine.runStage(l, x);
        const staged = now();
        engine.dispose(x);
        x = h;
        await engine.runHead(l, h);
        const headed = now();
        // The exit step runs the head again (free where the engine fused it with the stage), then the gate.
        const decision = await decideAtExit(engine, policy, l, h, { history, ...(previousHidden ? { previousHidden } : {}) });
        const decided = now();
        if (r >= warmup) {
          stage[l]!.push((headed - started) / batch);
          gate[l]!.push(Math.max(0, decided - headed - (headed - staged)) / batch);
        }
        if (policy.needs.history) history = nextHistory(history, { exit: l, logits: decision.logits, probs: decision.probs }, everyRow, batch, engine.classes);
        previousHidden = decision.hidden;
      }
    } finally {
      if (x !== undefined) engine.dispose(x);
    }
  }
  return { batch, stageSeconds: stage.map(median), gateSeconds: gate.map((s, l) => (l === engine.exits - 1 ? 0 : median(s))) };
}

/** The cost table of measured times: cumulative seconds per row of exiting at each exit (unit 'seconds'). */
export function timeExitCosts(times: StageTimes): ExitCosts {
  return computeExitCosts(
    { stageMacs: times.stageSeconds, headMacs: times.stageSeconds.map(() => 0), gateMacs: times.gateSeconds },
    'seconds',
  );
}

/**
 * The speedup over the full model that per-exit costs imply for a set of exits: the full model's
 * cost per row over the mean cost of the exits taken (MACs or measured seconds, whichever the
 * table holds). `fullCost` defaults to the table's plain backbone.
 */
export function impliedSpeedup(costs: ExitCosts, exits: ArrayLike<number>, fullCost = costs.backboneMacs): number {
  let total = 0;
  for (let i = 0; i < exits.length; i++) total += costs.cumulativeMacs[exits[i]!]!;
  return fullCost / (total / exits.length);
}
