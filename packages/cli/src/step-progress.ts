import { Presets, SingleBar } from 'cli-progress';

/** A progress bar on stderr for one long step (nothing is drawn when stderr is not a terminal). */
export interface StepProgress {
  advance(by: number): void;
  stop(): void;
}

export function stepProgress(label: string, total: number): StepProgress {
  const bar = new SingleBar(
    { stream: process.stderr, format: `${label.padEnd(22)} |{bar}| {percentage}% | {value}/{total} | ETA {eta_formatted}`, hideCursor: true },
    Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    advance: (by) => bar.increment(by),
    stop: () => bar.stop(),
  };
}

/** Runs `work` over `n` samples in chunks of `chunk`, with a progress bar; concatenates nothing. */
export async function inChunks(label: string, n: number, chunk: number, work: (start: number, count: number) => Promise<void>): Promise<void> {
  const bar = stepProgress(label, n);
  try {
    for (let start = 0; start < n; start += chunk) {
      const count = Math.min(chunk, n - start);
      await work(start, count);
      bar.advance(count);
    }
  } finally {
    bar.stop();
  }
}
