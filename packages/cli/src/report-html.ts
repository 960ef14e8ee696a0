import { reliabilityDiagramSvg, xyChartSvg } from '@offramp/plot';
import type { AttachResults } from './attach-results.js';
import type { AttachedTiming, TimingRow } from './attached-timing.js';

const escapeHtml = (text: string): string => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const percent = (v: number): string => `${(100 * v).toFixed(2)}%`;

/** Accuracy against relative cost over a threshold sweep. */
export type CostCurve = readonly { cost: number; accuracy: number }[];

export interface ReportCurves {
  /** Cost as mean MACs relative to the last exit. */
  readonly macs: CostCurve;
  /** Cost as measured time relative to the full graph (when timed), at batch `timeBatch`. */
  readonly time?: CostCurve;
  readonly timeBatch?: number;
}

function timingHtml(timing: AttachedTiming): string {
  const rows = timing.rows
    .map(
      (r) =>
        `<tr><td>${r.batch}</td><td>${r.fullUs.toFixed(1)}</td><td>${r.earlyExitUs.toFixed(1)}</td><td>${r.compiledUs.toFixed(1)}</td><td>${r.earlyExitSpeedup.toFixed(2)}x</td><td>${r.compiledSpeedup.toFixed(2)}x</td><td>${r.exitUs.map((u) => u.toFixed(0)).join(' / ')}</td></tr>`,
    )
    .join('');
  const warning = timing.disagreements > 0 ? `<p><b>The JS-driven and compiled early exit disagree on ${timing.disagreements} samples.</b></p>` : '';
  return `<h2>Measured on this machine</h2>
<p>Microseconds per sample on onnxruntime-node with one thread, ${timing.samples} samples, median of ${timing.passes} interleaved passes.</p>
<table><tr><th>batch</th><th>full graph</th><th>JS-driven early exit</th><th>compiled early exit</th><th>JS speedup</th><th>compiled speedup</th><th>time to each exit</th></tr>${rows}</table>${warning}`;
}

/**
 * A one-page HTML report: the certified operating point, accuracy vs cost in MACs and in measured time, the
 * measured speedups, where samples left, and a reliability diagram per exit.
 */
export async function renderReportHtml(results: AttachResults, curves: ReportCurves): Promise<string> {
  const { earlyExit, lastExit, oracle, timing } = results;
  const chart = (curve: CostCurve, x: string, at: { early: number; oracle: number }, title: string) =>
    xyChartSvg({
      title,
      x: { title: x, domain: [0, 1.05] },
      y: { title: 'accuracy' },
      series: [{ name: 'threshold sweep', points: curve.map((p) => ({ x: p.cost, y: p.accuracy })) }],
      markers: [
        { x: at.early, y: earlyExit.accuracy, label: 'certified' },
        { x: 1, y: lastExit.accuracy, label: 'last exit' },
        { x: at.oracle, y: oracle.accuracy, label: 'oracle' },
      ],
    });
  const macsSvg = await chart(curves.macs, 'mean MACs relative to the last exit', { early: earlyExit.macsRatio, oracle: oracle.macsRatio }, `Accuracy vs MACs (${results.gate} gate)`);
  const batched = timing?.rows.at(-1);
  /** Mean measured time of samples leaving as counted, relative to the full graph's. */
  const relativeTime = (counts: readonly number[], row: TimingRow) =>
    counts.reduce((sum, c, l) => sum + c * row.exitUs[l]!, 0) / results.samples / row.fullUs;
  const timeSvg =
    curves.time && batched
      ? await chart(
          curves.time,
          `time per sample relative to the full graph (batch ${curves.timeBatch ?? batched.batch}, measured per exit)`,
          { early: relativeTime(earlyExit.exitCounts, batched), oracle: relativeTime(oracle.exitCounts, batched) },
          'Accuracy vs measured time',
        )
      : '';
  const reliabilitySvg = await reliabilityDiagramSvg(
    results.reliability.map((r) => ({ name: `exit ${r.exit + 1}`, bins: r.bins, ece: r.ece })),
    { title: 'Reliability per exit (10 equal-width bins)', columns: Math.min(3, results.reliability.length), size: 180 },
  );
  const rows = results.exits
    .map(
      (e, l) =>
        `<tr><td>${l + 1}</td><td><code>${escapeHtml(e.tensor)}</code></td><td>${e.cumulativeMacs.toLocaleString('en-US')}</td><td>${percent(results.exitAccuracies[l] ?? 0)}</td><td>${earlyExit.exitCounts[l] ?? 0}</td><td>${oracle.exitCounts[l] ?? 0}</td></tr>`,
    )
    .join('');
  const thresholds = results.certified.thresholds.map((t) => (t === null ? 'closed' : t.toFixed(4))).join(', ');
  const steps = Object.entries(results.seconds)
    .map(([step, s]) => `<tr><td>${escapeHtml(step)}</td><td>${s.toFixed(1)}</td></tr>`)
    .join('');
  const speed = batched ? ` and <b>${batched.compiledSpeedup.toFixed(2)}x</b> faster measured at batch ${batched.batch}` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>offramp: ${escapeHtml(results.model)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:900px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}td:nth-child(2){text-align:left}.big{font-size:1.6em}</style>
</head><body>
<h1>Early exits for <code>${escapeHtml(results.model)}</code></h1>
<p class="big">${percent(earlyExit.accuracy)} accuracy at <b>${(100 * earlyExit.macsRatio).toFixed(1)}%</b> of the MACs${speed}
(last exit: ${percent(lastExit.accuracy)}; ${escapeHtml(results.evaluatedOn)}, ${results.samples} samples).</p>
<p>Thresholds of the ${escapeHtml(results.gate)} gate certified by Learn-then-Test on the validation set: the error may rise above the
last exit's by at most ${results.risk} with probability at least ${1 - results.delta}. Thresholds: ${thresholds}
(validation risk ${results.certified.validationRisk === null ? '-' : percent(results.certified.validationRisk)}, p = ${results.certified.pValue?.toPrecision(2) ?? '-'}).
The oracle (the first exit that is right) reaches ${percent(oracle.accuracy)} at ${(100 * oracle.macsRatio).toFixed(1)}% of the MACs.</p>
${macsSvg}
${timeSvg}
${timing ? timingHtml(timing) : ''}
<h2>Exits</h2>
<table><tr><th>exit</th><th>tensor</th><th>cumulative MACs</th><th>head accuracy</th><th>samples leaving (certified)</th><th>samples leaving (oracle)</th></tr>${rows}</table>
${reliabilitySvg}
<h2>Time of each step (seconds)</h2>
<table>${steps}</table>
</body></html>
`;
}
