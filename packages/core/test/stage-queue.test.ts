import { describe, expect, it } from 'vitest';
import { type Engine, type HostBatch, type RowGroup, StageQueue } from '../src/index.js';
import { countingEngine } from './counting-engine.js';
import { smallDenseEngine } from './fixtures.js';

const dense = smallDenseEngine(3, [4], 2);

async function rows(engine: Engine<HostBatch>, samples: number[]): Promise<RowGroup<HostBatch>> {
  const data = Float32Array.from(samples.flatMap((s) => [s, -s]));
  return { value: await engine.fromHost(data, samples.length), samples: Int32Array.from(samples), history: [] };
}

describe('StageQueue', () => {
  it('joins the waiting parts in order and keeps rows pushed during the join for the next drain', async () => {
    const counting = countingEngine(dense);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow: Engine<HostBatch> = {
      ...counting,
      concat: async (parts) => {
        await gate;
        return counting.concat!(parts);
      },
    };
    const queue = new StageQueue<HostBatch>();
    queue.push(await rows(slow, [0, 1]));
    queue.push(await rows(slow, [2]));
    const joining = queue.drain(slow);
    queue.push(await rows(slow, [3, 4]));
    expect(queue.rows).toBe(2);
    release();
    const joined = await joining;
    expect(Array.from(joined!.samples)).toEqual([0, 1, 2]);
    expect(Array.from(await counting.toHost(joined!.value))).toEqual([0, -0, 1, -1, 2, -2]);
    const next = await queue.drain(slow);
    expect(Array.from(next!.samples)).toEqual([3, 4]);
    expect(queue.rows).toBe(0);
    expect(await queue.drain(slow)).toBeUndefined();
    counting.dispose(joined!.value);
    counting.dispose(next!.value);
    expect(counting.live()).toBe(0);
  });

  it('keeps the parts disposable when the join fails', async () => {
    const counting = countingEngine(dense);
    const failing: Engine<HostBatch> = {
      ...counting,
      concat: async () => {
        throw new Error('out of memory');
      },
    };
    const queue = new StageQueue<HostBatch>();
    queue.push(await rows(failing, [0]));
    queue.push(await rows(failing, [1, 2]));
    await expect(queue.drain(failing)).rejects.toThrow('out of memory');
    expect(queue.rows).toBe(3);
    queue.dispose(failing);
    expect(queue.rows).toBe(0);
    expect(counting.live()).toBe(0);
  });
});
