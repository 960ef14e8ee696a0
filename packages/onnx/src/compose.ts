import { ArgumentError } from '@offramp/core';
import { decodeModel, encodeModel, floatValueInfo, type NodeProto, type TensorProto } from './proto.js';

/** One model of a chain: its input is fed by the previous model's output. */
export interface ChainPart {
  readonly model: Uint8Array;
  /** Name of the model's input tensor. */
  readonly input: string;
  /** Name of the model's output tensor that feeds the next part. */
  readonly output: string;
}

export interface ChainOptions {
  readonly input: { readonly name: string; readonly shape: readonly number[] };
  /** Graph outputs: the output of part `part`, published under `name`. */
  readonly outputs: readonly { readonly part: number; readonly name: string; readonly shape: readonly number[] }[];
}

/**
 * Joins models into one graph, part i's output feeding part i + 1's input, e.g. a stage and its
 * head (one call instead of two) or every stage and the last head (the full model). Names inside
 * each part are prefixed with `p<i>/` so parts never clash.
 */
export function composeChain(parts: readonly ChainPart[], options: ChainOptions): Uint8Array {
  if (parts.length === 0) {
    throw new ArgumentError({ field: 'parts', expected: 'at least one model', received: '0 models' });
  }
  const nodes: NodeProto[] = [];
  const initializers: TensorProto[] = [];
  const opsets = new Map<string, number>();
  let irVersion = 7;
  let feed = options.input.name;
  parts.forEach((part, p) => {
    const model = decodeModel(part.model, `parts[${p}].model`);
    irVersion = Math.max(irVersion, Number(model.irVersion ?? 7));
    for (const opset of model.opsetImport ?? []) {
      const domain = opset.domain ?? '';
      opsets.set(domain, Math.max(opsets.get(domain) ?? 0, Number(opset.version ?? 0)));
    }
    const published = options.outputs.find((o) => o.part === p);
    const rename = (name: string): string => {
      if (name === '') return name;
      if (name === part.input) return feed;
      if (name === part.output && published) return published.name;
      return `p${p}/${name}`;
    };
    const graph = model.graph!;
    for (const init of graph.initializer ?? []) initializers.push({ ...init, name: rename(init.name ?? '') });
    for (const node of graph.node ?? []) {
      nodes.push({
        ...node,
        name: `p${p}/${node.name ?? ''}`,
        input: (node.input ?? []).map(rename),
        output: (node.output ?? []).map(rename),
      });
    }
    feed = rename(part.output);
  });
  for (const out of options.outputs) {
    if (!Number.isInteger(out.part) || out.part < 0 || out.part >= parts.length) {
      throw new ArgumentError({
        field: 'outputs.part',
        expected: `a part index in [0, ${parts.length - 1}]`,
        received: String(out.part),
      });
    }
  }
  return encodeModel({
    irVersion,
    producerName: 'offramp',
    opsetImport: [...opsets].map(([domain, version]) => ({ domain, version })),
    graph: {
      name: 'offramp-chain',
      node: nodes,
      initializer: initializers,
      input: [floatValueInfo(options.input.name, options.input.shape)],
      output: options.outputs.map((o) => floatValueInfo(o.name, o.shape)),
    },
  });
}
