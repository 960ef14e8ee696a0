import type { ExitCosts } from './cost.js';
import { CountMismatchError } from './errors.js';
import type { Engine } from './engine.js';
import type { Gate } from './gate.js';
import { validateInput } from './input.js';
import { takeRows } from './math.js';
import { decideAtExit, nextHistory } from './exit-step.js';
import { needFlags } from './needs.js';
import type { ExitResult } from './result.js';
import type { ExitRecord } from './signal.js';
import { resolveThresholds } from './thresholds.js';

/** A gate with its thresholds and the cost table of the network it runs on. */
export interface ExitPolicy {
  readonly gate: Gate;
  /** One per exit before the last, or one number for all. */
  readonly thresholds: number | readonly number[];
  readonly costs: ExitCosts;
}

export function checkEngineCosts<T>(engine: Engine<T>, costs: ExitCosts): void {
  if (costs.exits !== engine.exits) {
    throw new CountMismatchError({
      field: 'costs.exits',
      expected: `${engine.exits} exits (as the engine has)`,
      received: String(costs.exits),
    });
  }
}

/**
 * Real early exit: runs the network stage by stage; after each exit's head the gate scores the
 * samples still running, those with score >= threshold stop there, and only the rest go on to the
 * next stage (batch compaction). Results come back in input order.
 */
export async function runEarlyExit<T>(
  engine: Engine<T>,
  policy: ExitPolicy,
  input: Float32Array,
  batch: number,
): Promise<ExitResult> {
  validateInput(input, batch, engine.inputShape);
  checkEngineCosts(engine, policy.costs);
  const { exits, classes } = engine;
  const thresholds = resolveThresholds(policy.gate, policy.thresholds, exits);
  const flags = needFlags(policy.gate);
  const resolved = { gate: policy.gate, flags, thresholds, costs: policy.costs };

  const exit = new Int32Array(batch);
  const prediction = new Int32Array(batch);
  const probsOut = new Float32Array(batch * classes);
  const logitsOut = new Float32Array(batch * classes);
  const cost = new Float64Array(batch);
  const macs = new Float64Array(batch);

  let rows = Int32Array.from({ length: batch }, (_, i) => i);
  let x: T | undefined = await engine.fromHost(input, batch);
  let previousHidden = flags.similarity ? input : undefined;
  let history: ExitRecord[] = [];

  let live: T | undefined;
  try {
    for (let l = 0; l < exits; l++) {
      const h = await engine.runStage(l, x!);
      live = h;
      engine.dispose(x!);
      x = undefined;
      const { logits, probs, predicted, leaving, hidden } = await decideAtExit(engine, resolved, l, h, {
        history,
        previousHidden,
      });
      const n = rows.length;
      const stay: number[] = [];
      for (let i = 0; i < n; i++) {
        if (!leaving[i]) {
          stay.push(i);
          continue;
        }
        const row = rows[i]!;
        exit[row] = l;
        prediction[row] = predicted[i]!;
        probsOut.set(probs.subarray(i * classes, (i + 1) * classes), row * classes);
        logitsOut.set(logits.subarray(i * classes, (i + 1) * classes), row * classes);
        cost[row] = policy.costs.normalized[l]!;
        macs[row] = policy.costs.cumulativeMacs[l]!;
      }
      if (stay.length === 0) {
        engine.dispose(h);
        live = undefined;
        break;
      }
      let keptHidden = hidden;
      if (stay.length === n) {
        x = h;
        live = undefined;
      } else {
        const keep = Int32Array.from(stay);
        x = await engine.take(h, keep);
        engine.dispose(h);
        live = undefined;
        rows = Int32Array.from(stay, (i) => rows[i]!);
        if (hidden) keptHidden = takeRows(hidden, hidden.length / n, keep);
      }
      if (flags.similarity) previousHidden = keptHidden;
      if (flags.history) history = nextHistory(history, { exit: l, logits, probs }, stay, n, classes);
    }
  } catch (error) {
    if (x !== undefined) engine.dispose(x);
    if (live !== undefined) engine.dispose(live);
    throw error;
  }
  return { batch, classes, exits, exit, prediction, probs: probsOut, logits: logitsOut, cost, macs };
}
