import type { TwoStreamModel } from '@offramp/backbones';

/** MACs of one step that left at `exit` with `keys` self positions (copied states and memory keys apart). */
export function stepMacs(model: TwoStreamModel, exit: number, keys: number, checks: boolean): number {
  const layers = model.options.decoderLayers;
  const m = model.macs;
  return (
    (exit + 1) * m.decoderLayer(keys, model.memoryLength) +
    (checks ? Math.min(exit + 1, layers - 1) * m.similarity(model.options.dModel) : 0) +
    m.head
  );
}
