import { dirname, join, resolve } from 'node:path';
import { openAttached } from './attached-folder.js';
import { type AttachedTiming, TIMING_SESSION_OPTIONS, timeAttached } from './attached-timing.js';
import { readDataSource } from './data-source.js';

export interface BenchOptions {
  /** A .npz file or a dataset by name: the inputs timed (their labels are not used). */
  readonly data: string;
  /** Samples timed (at most the data's). Default 2048. */
  readonly samples?: number;
  /** Default [1, 128]. */
  readonly batches?: readonly number[];
  /** Default 3. */
  readonly passes?: number;
  readonly cache?: string;
}

/** `offramp bench`: time per sample of the full graph and of both early exits, and the time to each exit, on this machine. */
export async function benchAttached(folder: string, options: BenchOptions): Promise<AttachedTiming> {
  const model = await openAttached(folder, '<dir>', TIMING_SESSION_OPTIONS);
  try {
    const { manifest } = model.bundle;
    const cacheDir = options.cache ?? join(dirname(resolve(folder)), '.offramp-cache');
    const data = await readDataSource(options.data, '--data', manifest.inputShape, manifest.classes, cacheDir);
    const n = Math.min(options.samples ?? 2048, data.n);
    return await timeAttached(model.engine, model.compiled, model.policy, data.images, n, {
      batches: options.batches ?? [1, 128],
      passes: options.passes ?? 3,
    });
  } finally {
    await model.release();
  }
}
