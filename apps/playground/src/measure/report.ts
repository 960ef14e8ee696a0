import { ArgumentError } from '@offramp/core';
import type { BundleSizes, SizeEntry } from './bundle-size.js';
import type { PageLoadTiming } from './first-prediction.js';

export interface MeasureReport {
  readonly date: string;
  readonly chromium: string;
  readonly cpus: number;
  /** 1-minute load average when the timing started (other jobs on the machine). */
  readonly loadAverage: number;
  readonly sizes: BundleSizes;
  readonly runs: readonly PageLoadTiming[];
  readonly median: PageLoadTiming;
}

/** The README section the measure command rewrites. */
export const README_SECTION = 'playground-table';

/** The median of each timing over the runs. */
export function medianTiming(runs: readonly PageLoadTiming[]): PageLoadTiming {
  if (runs.length === 0) throw new ArgumentError({ field: 'runs', expected: 'at least one run', received: '0 runs' });
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  return {
    modelLoadedMs: median(runs.map((r) => r.modelLoadedMs)),
    engineReadyMs: median(runs.map((r) => r.engineReadyMs)),
    firstPredictionMs: median(runs.map((r) => r.firstPredictionMs)),
    firstRunMs: median(runs.map((r) => r.firstRunMs)),
    warmRunMs: median(runs.map((r) => r.warmRunMs)),
  };
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

function sizeRow(name: string, entry: SizeEntry): string {
  return `| ${name} | ${entry.files} | ${kib(entry.raw)} | ${kib(entry.gzip)} |`;
}

/** The README's tables: bundle sizes and first-prediction latency. */
export function measureTable(report: MeasureReport): string {
  const { sizes, median } = report;
  return [
    '| part | files | raw | gzip |',
    '|---|---|---|---|',
    sizeRow('JavaScript (page, offramp, onnxruntime-web)', sizes.js),
    sizeRow('of which fetched on first use of the compiled graph (compiler, protobuf)', sizes.lazyJs),
    sizeRow('CSS', sizes.css),
    sizeRow('onnxruntime-web wasm', sizes.wasm),
    sizeRow('**code in all (JS + CSS + wasm)**', sizes.code),
    sizeRow('model/ (ONNX graphs, manifest, test trace, sample digits)', sizes.model),
    '',
    `| latency (median of ${report.runs.length} fresh loads) | ms |`,
    '|---|---|',
    `| page load to model files fetched and decoded | ${median.modelLoadedMs.toFixed(0)} |`,
    `| page load to onnxruntime-web sessions ready | ${median.engineReadyMs.toFixed(0)} |`,
    `| **page load to first prediction** | ${median.firstPredictionMs.toFixed(0)} |`,
    `| the first early-exit run alone | ${median.firstRunMs.toFixed(1)} |`,
    `| a later early-exit run (one digit) | ${median.warmRunMs.toFixed(1)} |`,
    '',
    `Measured ${report.date.slice(0, 10)} by \`pnpm --filter @offramp/app-playground measure\`: headless ${report.chromium}, ` +
      `page served from 127.0.0.1 (no network latency), ${report.cpus} cores, 1-minute load average ` +
      `${report.loadAverage.toFixed(2)} at the start.`,
  ].join('\n');
}
