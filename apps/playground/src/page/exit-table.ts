import type { Prediction } from './predict.js';

function cell(text: string, className?: string): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function percent(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/** Fills the exit-by-exit table: what each exit predicts, the gate's score against its threshold, where early exit stopped. */
export function renderExitTable(body: HTMLElement, prediction: Prediction): void {
  body.replaceChildren(
    ...prediction.rows.map((row) => {
      const tr = document.createElement('tr');
      tr.dataset.exit = String(row.exit);
      tr.className = row.stopped ? 'stopped' : row.reached ? 'reached' : 'skipped';
      const decision = row.stopped
        ? row.score === null
          ? 'stopped (last exit)'
          : 'stopped: score >= threshold'
        : row.reached
          ? 'went on: score < threshold'
          : 'not run by early exit';
      tr.append(
        cell(String(row.exit + 1)),
        cell(String(row.prediction), 'prediction'),
        cell(percent(row.confidence)),
        cell(row.score === null ? '-' : `${row.score.toFixed(4)} ${row.score >= row.threshold! ? '>=' : '<'} ${row.threshold!.toFixed(4)}`),
        cell(`${(row.macs / 1000).toFixed(1)}k (${row.costVsBackbone.toFixed(3)})`),
        cell(decision, 'decision'),
      );
      return tr;
    }),
  );
}
