import type { GraphBuilder } from '../graph-builder.js';
import type { AttributeProto, GraphProto, ModelProto, NodeProto, ValueInfoProto } from '../proto.js';

type Rename = (name: string) => string;

function renameInfo(info: ValueInfoProto, rename: Rename): ValueInfoProto {
  return { ...info, name: rename(info.name ?? '') };
}

function renameAttribute(attribute: AttributeProto, rename: Rename): AttributeProto {
  const out: AttributeProto = { ...attribute };
  if (attribute.g) out.g = renameGraph(attribute.g, rename);
  if (attribute.graphs && attribute.graphs.length > 0) out.graphs = attribute.graphs.map((g) => renameGraph(g, rename));
  return out;
}

function renameNode(node: NodeProto, prefix: string, rename: Rename): NodeProto {
  return {
    ...node,
    name: `${prefix}/${node.name ?? ''}`,
    input: (node.input ?? []).map(rename),
    output: (node.output ?? []).map(rename),
    attribute: (node.attribute ?? []).map((a) => renameAttribute(a, rename)),
  };
}

/** A nested graph (the body of an If, Loop or Scan inside a part) with every name renamed. */
function renameGraph(graph: GraphProto, rename: Rename): GraphProto {
  return {
    ...graph,
    node: (graph.node ?? []).map((n) => renameNode(n, 'sub', rename)),
    initializer: (graph.initializer ?? []).map((t) => ({ ...t, name: rename(t.name ?? '') })),
    input: (graph.input ?? []).map((v) => renameInfo(v, rename)),
    output: (graph.output ?? []).map((v) => renameInfo(v, rename)),
    valueInfo: (graph.valueInfo ?? []).map((v) => renameInfo(v, rename)),
  };
}

/** One decoded model of the bundle (a stage or a head) and the names of its input and output. */
export interface InlinePart {
  readonly model: ModelProto;
  readonly input: string;
  readonly output: string;
}

/**
 * Copies a part's graph into `into`, reading `feed` where the part reads its input. Every other name
 * gets the prefix `prefix/`, so parts never clash. The weights go into the same graph as the nodes
 * that read them (each part runs in one branch only): onnxruntime prepacks a branch's own
 * initializers once, but not those it reads from an outer graph, which then get repacked on every
 * run (measured: 2-3x slower stages). Returns the name of the part's output in the new graph.
 */
export function inlinePart(into: GraphBuilder, part: InlinePart, feed: string, prefix: string): string {
  const rename: Rename = (name) => {
    if (name === '') return name;
    if (name === part.input) return feed;
    return `${prefix}/${name}`;
  };
  const graph = part.model.graph!;
  into.append([], (graph.initializer ?? []).map((t) => ({ ...t, name: rename(t.name ?? '') })));
  into.append((graph.node ?? []).map((n) => renameNode(n, prefix, rename)));
  return rename(part.output);
}
