import { type FeatureLayout, type GraphInput, graphInput, type OrtRuntime, probeTensors } from '@offramp/onnx';
import { constantTensors } from './constant-tensors.js';
import { guessLayout } from './layout-guess.js';
import { legalCutsAfterNodes } from './legal-cuts.js';
import { decodeOnnx, type DecodedModel } from './onnx-graph.js';
import { operatorMacs, weightDims } from './operator-macs.js';

/** One tensor a node writes, in the graph's topological order. */
export interface TensorReport {
  readonly name: string;
  /** The operator that writes it. */
  readonly op: string;
  /** Per-sample shape from the probe run (batch axis dropped). */
  readonly shape: readonly number[];
  readonly type: string;
  readonly layout: FeatureLayout;
  /** MACs per sample of the node that writes it. */
  readonly macs: number;
  /** MACs per sample of every node up to and including that one. */
  readonly cumulativeMacs: number;
  /** True when the model can be cut here (see legalCutsAfterNodes) and the tensor is float features. */
  readonly legalCut: boolean;
  /** True for a model output (offered as an exit never: the model's own answer comes after the last exit). */
  readonly isOutput: boolean;
}

export interface ModelAnalysis {
  /** The model's data input: name and per-sample shape. */
  readonly input: Pick<GraphInput, 'name' | 'shape'>;
  readonly outputs: readonly { readonly name: string; readonly shape: readonly number[] }[];
  /** Every non-constant tensor, in topological order. */
  readonly tensors: readonly TensorReport[];
  /** MACs per sample of the whole model. */
  readonly totalMacs: number;
  /** The decoded model (for cutting it later). */
  readonly decoded: DecodedModel;
}

/** Probes the model and reports every tensor's shape, layout, cumulative MACs and whether it is a legal cut. */
export async function analyzeModel(
  runtime: OrtRuntime,
  bytes: Uint8Array,
  options: { readonly probe?: number; readonly field?: string } = {},
): Promise<ModelAnalysis> {
  const field = options.field ?? 'model';
  const decoded = decodeOnnx(bytes, field);
  const { graph } = decoded;
  const { name: inputName, shape: inputShape } = graphInput(graph, field);
  const input = { name: inputName, shape: inputShape };
  const probed = await probeTensors(runtime, bytes, { batch: options.probe ?? 1 }, field);
  const constants = constantTensors(graph);
  const legal = legalCutsAfterNodes(graph, input.name, constants);
  const weights = weightDims(graph.initializer ?? []);
  const shapes = {
    activation: (name: string) => (name === input.name ? input.shape : probed.get(name)?.shape),
    weight: (name: string) => weights.get(name),
  };
  const outputNames = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  const tensors: TensorReport[] = [];
  let cumulative = 0;
  let afterConvolution = false;
  graph.node.forEach((node, i) => {
    const op = node.opType ?? '';
    if (op === 'Conv' || op === 'ConvTranspose') afterConvolution = true;
    const macs = operatorMacs(node, shapes);
    cumulative += macs;
    const name = node.output?.[0];
    if (!name || constants.has(name)) return;
    const seen = probed.get(name);
    if (!seen) return;
    const isFloat = seen.type === 'float32';
    tensors.push({
      name,
      op,
      shape: seen.shape,
      type: seen.type,
      layout: guessLayout(seen.shape, op, afterConvolution),
      macs,
      cumulativeMacs: cumulative,
      legalCut: legal[i]! && isFloat && seen.batched && seen.shape.length > 0,
      isOutput: outputNames.has(name),
    });
  });
  const outputs = (graph.output ?? []).map((o) => ({ name: o.name ?? '', shape: probed.get(o.name ?? '')?.shape ?? [] }));
  return { input, outputs, tensors, totalMacs: cumulative, decoded };
}
