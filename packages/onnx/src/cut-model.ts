import { ArgumentError } from '@offramp/core';
import { MissingTensorError, OnnxModelError } from './errors.js';
import { checkFeatureSpec, type FeatureSpec } from './feature.js';
import { graphInput } from './graph-input.js';
import { decodeModel, encodeModel, floatValueInfo, type NodeProto } from './proto.js';

/** A tensor of the user's model where an exit sits: the features of that exit's head. */
export interface ExitPoint extends FeatureSpec {
  /** Name of the tensor in the ONNX graph (a node output). */
  readonly tensor: string;
}

export interface CutStage {
  /** A standalone ONNX model computing this stage only. */
  readonly model: Uint8Array;
  readonly input: string;
  readonly output: string;
  readonly feature: FeatureSpec;
  /** Nodes of the original graph this stage runs. */
  readonly nodes: number;
}

export interface CutResult {
  readonly input: { readonly name: string; readonly shape: readonly number[] };
  readonly stages: readonly CutStage[];
}

/**
 * A node that reads nothing (a Constant): every stage that needs its output gets its own copy, so a
 * constant shared by several stages (PyTorch emits one for indices such as `qkv[0]` in every block)
 * does not make the cut fail.
 */
function isSource(node: NodeProto): boolean {
  return (node.input ?? []).every((name) => name === '');
}

/**
 * Cuts one ONNX model into stage subgraphs at the named exit tensors: stage l computes exit l's
 * tensor from exit l - 1's (stage 0 from the model input) and holds only the nodes on that path,
 * so a sample that leaves at exit l never runs what lies after it. A path that needs a tensor from
 * before the previous cut (a skip connection across exits) cannot be cut there and is an error.
 */
export function cutModel(bytes: Uint8Array, exits: readonly ExitPoint[], field = 'model'): CutResult {
  const model = decodeModel(bytes, field);
  const graph = model.graph!;
  if (!Array.isArray(exits) || exits.length === 0) {
    throw new ArgumentError({ field: 'exits', expected: 'at least one exit point', received: '0 exit points' });
  }
  const nodes = graph.node ?? [];
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  const { name: inputName, shape: inputShape } = graphInput(graph, field);
  const input = (graph.input ?? []).find((v) => v.name === inputName)!;
  const producer = new Map<string, number>();
  nodes.forEach((node, i) => {
    for (const out of node.output ?? []) producer.set(out, i);
  });
  const known = [...producer.keys()];
  const checked = exits.map((exit, l) => {
    const spec = checkFeatureSpec(exit, `exits[${l}]`);
    if (typeof exit.tensor !== 'string' || !producer.has(exit.tensor)) {
      throw new MissingTensorError(String(exit.tensor), `exits[${l}].tensor`, known);
    }
    return { ...spec, tensor: exit.tensor };
  });

  const used = new Set<number>();
  const stages = checked.map((exit, l): CutStage => {
    const boundary = l === 0 ? inputName : checked[l - 1]!.tensor;
    const needed = new Set<number>();
    const visit = (tensor: string): void => {
      if (tensor === '' || tensor === boundary || initializers.has(tensor)) return;
      const at = producer.get(tensor);
      if (at === undefined) {
        throw new OnnxModelError({
          field: `exits[${l}].tensor`,
          expected: `a tensor computable from ${JSON.stringify(boundary)} (the previous cut)`,
          received: `${JSON.stringify(exit.tensor)}, which needs ${JSON.stringify(tensor)} from before that cut`,
        });
      }
      if (needed.has(at)) return;
      if (used.has(at) && !isSource(nodes[at]!)) {
        throw new OnnxModelError({
          field: `exits[${l}].tensor`,
          expected: `a tensor computable from ${JSON.stringify(boundary)} (the previous cut)`,
          received: `${JSON.stringify(exit.tensor)}, which needs node ${JSON.stringify(nodes[at]!.name)} of an earlier stage (are the exits in order?)`,
        });
      }
      needed.add(at);
      for (const name of nodes[at]!.input ?? []) visit(name);
    };
    visit(exit.tensor);
    for (const i of needed) if (!isSource(nodes[i]!)) used.add(i);
    const stageNodes: NodeProto[] = [...needed].sort((a, b) => a - b).map((i) => nodes[i]!);
    const names = new Set(stageNodes.flatMap((n) => n.input ?? []));
    const inputInfo =
      l === 0 ? input : floatValueInfo(boundary, checked[l - 1]!.shape);
    const stageModel = encodeModel({
      irVersion: model.irVersion,
      producerName: 'offramp-cut',
      opsetImport: model.opsetImport,
      graph: {
        name: `stage${l}`,
        node: stageNodes,
        initializer: (graph.initializer ?? []).filter((t) => names.has(t.name ?? '')),
        input: [inputInfo],
        output: [floatValueInfo(exit.tensor, exit.shape)],
      },
    });
    return {
      model: stageModel,
      input: boundary,
      output: exit.tensor,
      feature: { shape: exit.shape, layout: exit.layout },
      nodes: stageNodes.length,
    };
  });
  return { input: { name: inputName, shape: inputShape }, stages };
}
