import type { TwoStreamModel } from '@offramp/backbones';
import type { Gate } from '@offramp/core';
import type { VisionLanguageSet } from '@offramp/data';
import type { Thresholds } from './options.js';
import { evaluatePolicy, type Policy, type PolicyResult } from './policy.js';
import { type SearchResult, searchCaption, searchEntailment } from './search.js';
import { traceStreams } from './streams.js';
import { timePolicies } from './timing.js';

/** One row of a task's table: a policy on the test set. */
export interface PolicyRow {
  readonly policy: 'full model' | 'hand-set (paper values)' | 'searched (calibration)';
  readonly thresholds: Thresholds | null;
  readonly score: number;
  readonly exact?: number;
  /** score / full model's score. */
  readonly kept: number;
  readonly macs: number;
  /** 1 - macs / full model's MACs. */
  readonly macsSaved: number;
  /** Mean ms per sample with real early exit, batch 1, on the timed samples. */
  readonly ms: number;
  /** 1 - ms / full model's ms. */
  readonly timeSaved: number;
  /** Histograms of exit layers on the test set (count per layer). */
  readonly exitHistogram: { image: number[]; text: number[]; decoder: number[] };
  /** Timed samples whose real-exit image, text and decoder exits equal the trace/masked evaluation's. */
  readonly realMatchesTrace: number;
}

export interface TaskReport {
  readonly task: 'entailment' | 'caption';
  readonly metric: string;
  readonly validation: SearchResult;
  readonly rows: PolicyRow[];
  readonly timedSamples: number;
}

function histogram(exits: Int32Array, layers: number): number[] {
  const counts = new Array<number>(layers).fill(0);
  for (const e of exits) counts[e]! += 1;
  return counts;
}

/** Samples (of the first `count`) whose real-exit exits equal the evaluation's, decoder steps included. */
function sameExits(result: PolicyResult, real: { image: Int32Array; text: Int32Array; decoder: Int32Array[] }, count: number): number {
  let same = 0;
  for (let i = 0; i < count; i++) {
    const evaluated = result.decoderExitsPerSample[i]!;
    const decoded = real.decoder[i]!;
    const decoderSame = evaluated.length === decoded.length && evaluated.every((e, k) => e === decoded[k]);
    if (result.imageExits[i] === real.image[i] && result.textExits[i] === real.text[i] && decoderSame) same += 1;
  }
  return same;
}

/**
 * A task's whole report: the full model and the threshold search on the validation set, then the full model,
 * the hand-set and the searched thresholds on the test set (scores and MACs over all of it, real-exit timings on
 * the first `timed` samples).
 */
export async function reportTask(
  model: TwoStreamModel,
  sets: { validation: VisionLanguageSet; test: VisionLanguageSet },
  gate: Gate,
  hand: Thresholds,
  keep: number,
  timed: number,
  searchSamples: number,
  log: (line: string) => void,
): Promise<TaskReport> {
  const task = sets.test.task;
  const validation = limit(sets.validation, task === 'caption' ? searchSamples : sets.validation.n);
  const validationTraces = await traceStreams(model, validation);
  const fullValidation = await evaluatePolicy(model, validation, validationTraces, gate, null);
  const full = { score: fullValidation.score, macs: fullValidation.macs.total };
  log(`${task}: validation full model ${(100 * full.score).toFixed(2)}%, searching thresholds on ${validation.n} samples`);
  const search = task === 'entailment'
    ? await searchEntailment(model, validation, validationTraces, gate, keep, full)
    : await searchCaption(model, validation, validationTraces, gate, keep, full);
  log(`${task}: ${search.points.length} settings tried; chosen ${JSON.stringify(search.chosen?.thresholds ?? null)}`);

  const test = sets.test;
  const traces = await traceStreams(model, test);
  const policies: { name: PolicyRow['policy']; policy: Policy }[] = [
    { name: 'full model', policy: null },
    { name: 'hand-set (paper values)', policy: hand },
    ...(search.chosen ? [{ name: 'searched (calibration)' as const, policy: search.chosen.thresholds }] : []),
  ];
  const results: PolicyResult[] = [];
  for (const p of policies) results.push(await evaluatePolicy(model, test, traces, gate, p.policy));
  const count = Math.min(timed, test.n);
  log(`${task}: timing ${policies.length} policies with real early exit on ${count} test samples, one at a time`);
  const timing = await timePolicies(model, test, gate, policies.map((p) => p.policy), count);
  const base = results[0]!;
  const rows = policies.map((p, k): PolicyRow => {
    const r = results[k]!;
    return {
      policy: p.name,
      thresholds: p.policy,
      score: r.score,
      ...(r.exact !== undefined ? { exact: r.exact } : {}),
      kept: keptShare(r.score, base.score),
      macs: r.macs.total,
      macsSaved: 1 - r.macs.total / base.macs.total,
      ms: timing.msPerSample[k]!,
      timeSaved: 1 - timing.msPerSample[k]! / timing.msPerSample[0]!,
      exitHistogram: {
        image: histogram(r.imageExits, model.options.encoderLayers),
        text: histogram(r.textExits, model.options.encoderLayers),
        decoder: histogram(r.decoderExits, model.options.decoderLayers),
      },
      realMatchesTrace: sameExits(r, timing.exits[k]!, count),
    };
  });
  return { task, metric: task === 'entailment' ? 'accuracy' : 'caption token accuracy', validation: search, rows, timedSamples: count };
}

/** score / the full model's score; 1 when the full model scores 0 (nothing to lose). */
export function keptShare(score: number, full: number): number {
  return full > 0 ? score / full : 1;
}

/** The first `n` samples of a set. */
export function limit(set: VisionLanguageSet, n: number): VisionLanguageSet {
  if (n >= set.n) return set;
  return {
    ...set,
    n,
    images: set.images.subarray(0, n * 784),
    digits: set.digits.subarray(0, n),
    text: set.text.subarray(0, n * set.textLength),
    decoderInput: set.decoderInput.subarray(0, n * set.steps),
    targets: set.targets.subarray(0, n * set.steps),
    labels: set.labels.subarray(0, n),
    texts: set.texts.slice(0, n),
  };
}
