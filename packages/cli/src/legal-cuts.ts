import type { GraphProto } from './onnx-graph.js';

/**
 * For each node (by position in the graph's topological order), whether the model can be cut right
 * after it at `cutTensor(node)`: no node after it reads a tensor made before it (or the model input)
 * other than that tensor, so everything later is computable from that one tensor. Tensors in
 * `constants` (weights, constants) are free to cross; graph outputs count as read at the end.
 */
export function legalCutsAfterNodes(graph: GraphProto, inputName: string, constants: ReadonlySet<string>): boolean[] {
  const nodes = graph.node ?? [];
  const end = nodes.length;
  const lastUse = new Map<string, number>();
  nodes.forEach((node, j) => {
    for (const name of node.input ?? []) if (name !== '') lastUse.set(name, j);
  });
  for (const output of graph.output ?? []) lastUse.set(output.name ?? '', end);
  const readUntil = (name: string): number => (constants.has(name) ? -1 : (lastUse.get(name) ?? -1));

  // Latest read of anything produced before node i (the model input counts as produced before node 0).
  let before = readUntil(inputName);
  return nodes.map((node, i) => {
    const outputs = (node.output ?? []).filter((name) => name !== '');
    const main = outputs[0];
    const siblings = outputs.slice(1).map(readUntil);
    const legal = main !== undefined && !constants.has(main) && before <= i && siblings.every((j) => j <= i);
    before = Math.max(before, ...outputs.map(readUntil));
    return legal;
  });
}
