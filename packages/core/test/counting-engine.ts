import type { DenseEngine, Engine, HostBatch } from '../src/index.js';

/** A DenseEngine that counts the values it made and that were not disposed, and the rows of every stage call. */
export interface CountingEngine extends Engine<HostBatch> {
  live(): number;
  /** Per stage: the rows of each call, in order. */
  readonly stageRows: number[][];
}

export function countingEngine(dense: DenseEngine, options: { concat?: boolean } = {}): CountingEngine {
  const owned = new Set<HostBatch>();
  const track = (batch: HostBatch): HostBatch => {
    owned.add(batch);
    return batch;
  };
  const stageRows: number[][] = Array.from({ length: dense.exits }, () => []);
  const engine: CountingEngine = {
    exits: dense.exits,
    classes: dense.classes,
    inputShape: dense.inputShape,
    stageRows,
    fromHost: (data, batch) => track(dense.fromHost(data, batch)),
    runStage: (stage, input) => {
      if (!owned.has(input)) throw new Error('runStage on a disposed value');
      stageRows[stage]!.push(input.batch);
      return track(dense.runStage(stage, input));
    },
    runHead: (exit, hidden) => dense.runHead(exit, hidden),
    take: (x, rows) => track(dense.take(x, rows)),
    toHost: (x) => dense.toHost(x).slice(),
    dispose: (x) => {
      owned.delete(x);
    },
    live: () => owned.size,
  };
  if (options.concat === false) return engine;
  return {
    ...engine,
    concat: (parts) => {
      for (const p of parts) if (!owned.has(p)) throw new Error('concat of a disposed value');
      return track(dense.concat(parts));
    },
  };
}
