import { loadNodeRuntime } from '@offramp/onnx';
import { exitCandidates } from './exit-candidates.js';
import { type ExitsOption, selectExits } from './exit-selection.js';
import { analyzeModel, type TensorReport } from './model-analysis.js';
import { readUserFile } from './model-file.js';

export interface InspectOptions {
  /** Samples in the probe run (default 1). */
  readonly probe?: number;
  /** Exits to suggest (default auto:3). */
  readonly exits?: ExitsOption;
}

/** What `offramp inspect` finds: the model's interface, every tensor, the legal cuts and suggested exits. */
export interface InspectReport {
  readonly model: string;
  readonly input: { readonly name: string; readonly shape: readonly number[] };
  readonly outputs: readonly { readonly name: string; readonly shape: readonly number[] }[];
  readonly totalMacs: number;
  readonly tensors: readonly TensorReport[];
  /** Names of the tensors an exit may sit at (see exitCandidates). */
  readonly candidates: readonly string[];
  readonly suggested: readonly TensorReport[];
}

export async function inspectModel(path: string, options: InspectOptions = {}): Promise<InspectReport> {
  const bytes = await readUserFile(path, 'model');
  const analysis = await analyzeModel(await loadNodeRuntime(), bytes, { probe: options.probe ?? 1 });
  return {
    model: path,
    input: analysis.input,
    outputs: analysis.outputs,
    totalMacs: analysis.totalMacs,
    tensors: analysis.tensors,
    candidates: exitCandidates(analysis.tensors).map((t) => t.name),
    suggested: selectExits(analysis, options.exits ?? { auto: 3 }),
  };
}

const shapeText = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** The report as a table for a terminal. */
export function formatInspectReport(report: InspectReport): string {
  const lines = [
    `model   ${report.model}`,
    `input   ${report.input.name} ${shapeText(report.input.shape)} (per sample)`,
    ...report.outputs.map((o) => `output  ${o.name} ${shapeText(o.shape)}`),
    `MACs    ${report.totalMacs.toLocaleString('en-US')} per sample`,
    '',
    'cut  cumulative MACs   (%)  op                   shape           layout  tensor',
  ];
  for (const t of report.tensors) {
    const mark = report.suggested.some((s) => s.name === t.name) ? ' *' : t.legalCut && !t.isOutput ? ' +' : '  ';
    const share = report.totalMacs > 0 ? ((100 * t.cumulativeMacs) / report.totalMacs).toFixed(1) : '-';
    lines.push(
      `${mark}   ${t.cumulativeMacs.toLocaleString('en-US').padStart(15)} ${share.padStart(5)}  ${t.op.padEnd(20)} ${shapeText(t.shape).padEnd(15)} ${t.layout.padEnd(7)} ${t.name}`,
    );
  }
  lines.push(
    '',
    '+ legal cut (nothing later reads past it), * suggested exit',
    `suggested: --exits ${report.suggested.map((t) => t.name).join(',')}`,
  );
  return lines.join('\n');
}
