import { xyChartSvg } from '@offramp/plot';
import type { AttachResults } from './attach-results.js';

const escapeHtml = (text: string): string => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const percent = (v: number | null): string => (v === null ? '-' : `${(100 * v).toFixed(2)}%`);

/** A one-page HTML report: accuracy vs cost with the operating point, and how many samples left where. */
export async function renderReportHtml(results: AttachResults, curve: readonly { cost: number; accuracy: number }[]): Promise<string> {
  const { operatingPoint: op, fullModel } = results;
  const svg = await xyChartSvg({
    title: `Accuracy vs cost (${results.evaluatedOn} set, gate ${results.gate})`,
    x: { title: 'mean MACs relative to the last exit', domain: [0, 1.05] },
    y: { title: 'accuracy' },
    series: [{ name: 'threshold sweep', points: curve.map((p) => ({ x: p.cost, y: p.accuracy })) }],
    markers: [
      { x: op.macsRatio, y: op.accuracy ?? 0, label: 'certified operating point' },
      { x: 1, y: fullModel.accuracy ?? 0, label: 'last exit' },
    ],
  });
  const rows = results.exits
    .map((e, l) => `<tr><td>${l}</td><td><code>${escapeHtml(e.tensor)}</code></td><td>${e.cumulativeMacs.toLocaleString('en-US')}</td><td>${op.exitCounts[l] ?? 0}</td></tr>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>offramp: ${escapeHtml(results.model)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:860px;margin:2em auto;color:#222}table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}td:nth-child(2){text-align:left}.big{font-size:1.6em}</style>
</head><body>
<h1>Early exits for <code>${escapeHtml(results.model)}</code></h1>
<p class="big">${percent(op.accuracy)} accuracy at <b>${(100 * op.macsRatio).toFixed(1)}%</b> of the compute
(last exit: ${percent(fullModel.accuracy)}).</p>
<p>Thresholds of the ${escapeHtml(results.gate)} gate certified by Learn-then-Test on the validation set: the error may rise above the
last exit's by at most ${results.risk} with probability at least ${1 - results.delta}. Thresholds: ${op.thresholds ? op.thresholds.map((t) => t.toFixed(4)).join(', ') : 'none certified (every sample runs to the last exit)'}.</p>
${svg}
<h2>Where samples left (${results.evaluatedOn} set, ${op.samples} samples)</h2>
<table><tr><th>exit</th><th>tensor</th><th>cumulative MACs</th><th>samples</th></tr>${rows}</table>
</body></html>
`;
}
