import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { updateMarkedSection } from '@offramp/app-kit';
import type { TransformerLm } from '@offramp/backbones';
import { writeFileAtomic } from '@offramp/core/node';
import { xyChartSvg } from '@offramp/plot';
import { createOnnxLmRuntime } from '@offramp/sequence';
import { loadCorpus } from './corpus.js';
import { exitPerplexities } from './perplexity.js';
import { f, speculativeTable } from './report.js';
import { loadShippedModel, readShippedInfo, SHIPPED_KINDS, type ShippedKind, type ShippedModelInfo } from './shipped-model.js';
import { evaluateSpeculative, type SpeculativeResult, type SpeculativeSettings } from './speculative-eval.js';
import { cutWindows, sampleWindows, takeWindows } from './windows.js';

export interface DecodingReportOptions {
  /** A folder written by `main.js --ship-dir`. */
  readonly modelDir: string;
  readonly outDir: string;
  readonly speculative: SpeculativeSettings;
  /** Held-out windows for every exit's perplexity. */
  readonly evalWindows: number;
  /** onnxruntime's intra-op threads. */
  readonly ortThreads: number;
  readonly log: (line: string) => void;
}

export interface DecodingReport {
  readonly model: ShippedModelInfo;
  readonly parameters: number;
  /** Test perplexity of every exit, per fine-tuning. */
  readonly perplexities: Readonly<Record<ShippedKind, readonly number[]>>;
  readonly speculative: Readonly<Record<ShippedKind, SpeculativeResult>>;
  readonly settings: { readonly speculative: SpeculativeSettings; readonly evalWindows: number; readonly ortThreads: number };
  readonly seconds: number;
}

/** Test perplexity of every exit of both models, and how they were made. */
export function perplexityTable(report: DecodingReport): string {
  const { layers } = report.model.model;
  const exits = Array.from({ length: layers }, (_, l) => l + 1);
  const lines = [`| fine-tuned with | ${exits.map((e) => `exit ${e}`).join(' | ')} |`, `|---|${exits.map(() => '---|').join('')}`];
  for (const kind of SHIPPED_KINDS) lines.push(`| ${kind.toUpperCase()} | ${report.perplexities[kind].map((p) => f(p)).join(' | ')} |`);
  return lines.join('\n');
}

/** Draft acceptance of the two fine-tunings side by side, per (d, k, c), one prompt at a time on onnxruntime. */
export function acceptanceTable(report: DecodingReport): string {
  const rows = (kind: ShippedKind) =>
    report.speculative[kind].methods.filter((m) => m.runtime === 'onnxruntime' && m.batch === 1 && m.draft && m.acceptance !== undefined);
  const emo = new Map(rows('emo').map((m) => [JSON.stringify(m.draft), m]));
  const lines = ['| d | k | c | MLE: drafts accepted | EMO: drafts accepted | EMO - MLE (points) | MLE: tokens per verification | EMO: tokens per verification |', '|---|---|---|---|---|---|---|---|'];
  for (const m of rows('mle')) {
    const e = emo.get(JSON.stringify(m.draft));
    if (!e) continue;
    const { d, k, c } = m.draft!;
    lines.push(
      `| ${d} | ${k} | ${c} | ${f(100 * m.acceptance!, 1)}% | ${f(100 * e.acceptance!, 1)}% | ${f(100 * (e.acceptance! - m.acceptance!), 1)} | ${f(m.tokensPerVerification!)} | ${f(e.tokensPerVerification!)} |`,
    );
  }
  return lines.join('\n');
}

/** Speed-up over the full model (batch 1) against d, one line per fine-tuning, runtime and k. */
export function speedupChart(report: DecodingReport): Promise<string> {
  const series = SHIPPED_KINDS.flatMap((kind) => {
    const methods = report.speculative[kind].methods.filter((m) => m.batch === 1 && m.draft && m.draft.c === 0);
    const keys = [...new Set(methods.map((m) => `${m.runtime} k=${m.draft!.k}`))];
    return keys.map((key) => ({
      name: `${kind.toUpperCase()}, ${key}`,
      points: methods.filter((m) => `${m.runtime} k=${m.draft!.k}` === key).map((m) => ({ x: m.draft!.d, y: m.speedup })),
    }));
  });
  return xyChartSvg({
    title: `Self-speculative decoding, batch 1: speed-up over the full model (${report.model.model.layers} layers, d = ${report.model.model.dModel})`,
    x: { title: 'draft layers d' },
    y: { title: 'tokens/s over the full model' },
    series,
    markers: [{ x: 1, y: 1, label: 'full model' }],
  });
}

/**
 * From the shipped models: every exit's test perplexity, then greedy decoding of held-out prompts by the full model
 * and self-speculative decoding on tfjs (batch 1 and batched) and on onnxruntime (batch 1), for both fine-tunings.
 */
export async function runDecodingReport(options: DecodingReportOptions, readme?: string): Promise<DecodingReport> {
  const started = performance.now();
  const { log } = options;
  const info = await readShippedInfo(options.modelDir);
  // The shipped tokenizer is found under the name the corpus cache gives it, so nothing is trained here.
  const corpus = await loadCorpus({ ...info.corpus, seed: info.seed, cacheDir: options.modelDir });
  const { context } = info.model;
  const { promptLength, steps, prompts: count } = options.speculative;
  const testWindows = sampleWindows(cutWindows(corpus.test, context + 1, context), options.evalWindows, info.seed + 2);
  const textWindows = sampleWindows(cutWindows(corpus.test, promptLength + steps), count, info.seed + 3);
  const prompts = takeWindows(textWindows, Array.from({ length: textWindows.count }, (_, i) => i));
  const draftLayers = [...new Set(options.speculative.points.map((p) => p[0]))];

  const perplexities = {} as Record<ShippedKind, number[]>;
  const speculative = {} as Record<ShippedKind, SpeculativeResult>;
  let parameters = 0;
  for (const kind of SHIPPED_KINDS) {
    const lm: TransformerLm = await loadShippedModel(options.modelDir, info, kind);
    const onnx = await createOnnxLmRuntime(lm, { sessionOptions: { intraOpNumThreads: options.ortThreads, interOpNumThreads: 1 } });
    try {
      parameters = lm.variables.reduce((s, v) => s + v.size, 0);
      perplexities[kind] = await exitPerplexities(lm, testWindows);
      log(`${kind.toUpperCase()}: test perplexity ${perplexities[kind].map((p) => f(p)).join(' / ')}`);
      await onnx.prepare(draftLayers);
      speculative[kind] = await evaluateSpeculative(lm, prompts, options.speculative, undefined, onnx);
      log(`${kind.toUpperCase()}: decoding measured`);
    } finally {
      await onnx.release();
      lm.dispose();
    }
  }
  const report: DecodingReport = {
    model: info,
    parameters,
    perplexities,
    speculative,
    settings: { speculative: options.speculative, evalWindows: testWindows.count, ortThreads: options.ortThreads },
    seconds: (performance.now() - started) / 1000,
  };
  const { model } = info;
  const matches = SHIPPED_KINDS.map((k) => `${k.toUpperCase()} ${speculative[k].onnxFullMatchesTfjs} / ${speculative[k].prompts}`).join(', ');
  const tables = [
    `${model.layers} layers, d = ${model.dModel}, ${model.heads} heads, feed-forward ${model.ffnHidden}, context ${model.context}, ${(parameters / 1e6).toFixed(2)} M parameters, stored as int8 with a scale per row.`,
    `Test perplexity of every exit (${testWindows.count} windows):\n\n${perplexityTable(report)}`,
    `Drafts accepted, MLE- against EMO-tuned (greedy, the same prompts):\n\n${acceptanceTable(report)}`,
    `Greedy decoding of ${count} held-out prompts (${promptLength} tokens, ${steps} generated), interleaved per group; speed-ups against the full model of the same runtime and batch size. onnxruntime's full model gave the tfjs model's output on ${matches} prompts.\n\n${speculativeTable(speculative)}`,
  ].join('\n\n');
  await mkdir(options.outDir, { recursive: true });
  await writeFileAtomic(join(options.outDir, 'decoding.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFileAtomic(join(options.outDir, 'decoding-tables.md'), `${tables}\n`);
  await writeFileAtomic(join(options.outDir, 'decoding-speedup.svg'), await speedupChart(report));
  if (readme) await updateMarkedSection(readme, 'emo-lm-decoding', tables, { ifMissing: 'skip' });
  log(tables);
  return report;
}
