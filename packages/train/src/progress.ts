import { Presets, SingleBar } from 'cli-progress';

/** A progress bar over the batches of a training run: rate, ETA, epoch and the running loss. */
export interface TrainingProgress {
  /** Marks one more batch done. */
  tick(epoch: number, loss: number): void;
  stop(): void;
}

/**
 * A cli-progress bar on `stream` (stderr by default) for `total` batches over `epochs` epochs. When the stream is
 * not a terminal (a log file, CI), the same line is written every 30 seconds instead.
 */
export function createTrainingProgress(
  label: string,
  total: number,
  epochs: number,
  stream: NodeJS.WritableStream = process.stderr,
): TrainingProgress {
  const bar = new SingleBar(
    {
      stream,
      format: `${label} |{bar}| {percentage}% | epoch {epoch}/${epochs} | {value}/{total} batches | {rate} batch/s | ETA {eta_formatted} | loss {loss}`,
      hideCursor: true,
      etaBuffer: 50,
      noTTYOutput: true,
      notTTYSchedule: 30_000,
    },
    Presets.shades_classic,
  );
  const started = Date.now();
  let done = 0;
  bar.start(total, 0, { epoch: 1, rate: '-', loss: '-' });
  return {
    tick(epoch, loss) {
      done += 1;
      const seconds = (Date.now() - started) / 1000;
      bar.update(done, {
        epoch: epoch + 1,
        rate: seconds > 0 ? (done / seconds).toFixed(1) : '-',
        loss: loss.toPrecision(4),
      });
    },
    stop() {
      bar.stop();
    },
  };
}
