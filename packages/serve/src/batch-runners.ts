import { argmaxRows, type ExitResult, runEarlyExit, softmaxRows } from '@offramp/core';
import type { CompiledGraph } from './compiled-graph.js';
import type { BatchRunner } from './dynamic-batcher.js';
import type { NetworkAnswer } from './pending.js';
import type { ServedModel } from './served-model.js';

/** MACs of the single full-model graph: every stage and the last head, no early heads or gates. */
export function fullModelMacs<T>(model: ServedModel<T>): number {
  const { stageMacs, headMacs } = model.policy.costs;
  return stageMacs.reduce((a, b) => a + b, 0) + headMacs[headMacs.length - 1]!;
}

/** Row `i` of an ExitResult as an answer. */
export function answerFromResult(result: ExitResult, i: number): NetworkAnswer {
  const { classes } = result;
  return {
    prediction: result.prediction[i]!,
    probs: Array.from(result.probs.subarray(i * classes, (i + 1) * classes)),
    exit: result.exit[i]!,
    cost: result.cost[i]!,
    macs: result.macs[i]!,
  };
}

/** Plain dynamic batching of the full model: one full-model graph call per batch. */
export function fullModelRunner<T>(model: ServedModel<T>): BatchRunner {
  const { classes, exits } = model.engine;
  const macs = fullModelMacs(model);
  const last = model.policy.costs.cumulativeMacs[exits - 1]!;
  return async (input, batch) => {
    const probs = softmaxRows(await model.engine.runFull(input, batch), classes);
    const predicted = argmaxRows(probs, classes);
    return Array.from({ length: batch }, (_, i) => ({
      prediction: predicted[i]!,
      probs: Array.from(probs.subarray(i * classes, (i + 1) * classes)),
      exit: exits - 1,
      cost: macs / last,
      macs,
    }));
  };
}

/** Per-batch early exit: runEarlyExit over the batch, every sample answered when the batch is done. */
export function batchEarlyExitRunner<T>(model: ServedModel<T>): BatchRunner {
  return async (input, batch) => {
    const result = await runEarlyExit(model.engine, model.policy, input, batch);
    return Array.from({ length: batch }, (_, i) => answerFromResult(result, i));
  };
}

/**
 * Early exit compiled into one graph: one session call per batch runs every stage, head and gate
 * the batch's rows need, and every sample is answered when it returns. Probabilities are the
 * softmax of the logits at the exit taken; cost and MACs come from the graph's policy.
 */
export function compiledRunner(graph: CompiledGraph): BatchRunner {
  const { normalized, cumulativeMacs } = graph.policy.costs;
  return async (input, batch) => {
    const session = await graph.session();
    const result = await session.run(input, batch);
    const { classes } = result;
    const probs = softmaxRows(result.logits, classes);
    return Array.from({ length: batch }, (_, i) => {
      const exit = result.exit[i]!;
      return {
        prediction: result.prediction[i]!,
        probs: Array.from(probs.subarray(i * classes, (i + 1) * classes)),
        exit,
        cost: normalized[exit]!,
        macs: cumulativeMacs[exit]!,
      };
    });
  };
}
