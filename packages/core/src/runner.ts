import type { Engine } from './engine.js';
import { ExitResultBuilder } from './exit-result-builder.js';
import { validateInput } from './input.js';
import type { ExitPolicy } from './policy.js';
import type { ExitResult } from './result.js';
import { checkPolicyFits, enterRows, recordLeavers, runStageStep } from './stage-step.js';

/**
 * Real early exit: runs the network stage by stage; after each exit's head the gate scores the
 * samples still running, those with score >= threshold stop there, and only the rest go on to the
 * next stage (batch compaction, in `runStageStep`). Results come back in input order.
 */
export async function runEarlyExit<T>(
  engine: Engine<T>,
  policy: ExitPolicy,
  input: Float32Array,
  batch: number,
): Promise<ExitResult> {
  validateInput(input, batch, engine.inputShape);
  checkPolicyFits(engine, policy);
  const { exits, classes } = engine;
  const out = new ExitResultBuilder(exits, classes, policy.costs, batch);
  out.add(batch);
  let group = await enterRows(engine, policy, input, batch);
  for (let l = 0; l < exits; l++) {
    const outcome = await runStageStep(engine, policy, l, group);
    recordLeavers(outcome, out);
    if (!outcome.survivors) break;
    group = outcome.survivors;
  }
  return out.build();
}
