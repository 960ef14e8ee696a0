import { Presets, SingleBar } from 'cli-progress';

/** A progress bar over the batches of a training run: rate, ETA, epoch and the running loss. */
export interface TrainingProgress {
  /** Marks one more batch done. */
  tick(epoch: number, loss: number): void;
  stop(): void;
}

/** Seconds as m:ss or h:mm:ss. */
function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/**
 * Plain progress lines for a stream that is not a terminal (a log file, CI): one after the first batch, then at most
 * one every `everyMs`, and one at the end, written from `tick` itself (training holds the event loop between
 * batches, so a timer would not fire).
 */
function lineProgress(label: string, total: number, epochs: number, stream: NodeJS.WritableStream, everyMs: number): TrainingProgress {
  const started = Date.now();
  let done = 0;
  let last = { epoch: 1, loss: '-' };
  let written = -Infinity;
  const write = () => {
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const eta = rate > 0 ? clock((total - done) / rate) : '-';
    stream.write(
      `${label} | ${Math.round((100 * done) / total)}% | epoch ${last.epoch}/${epochs} | ${done}/${total} batches | ${rate.toFixed(1)} batch/s | elapsed ${clock(seconds)} | ETA ${eta} | loss ${last.loss}\n`,
    );
    written = Date.now();
  };
  return {
    tick(epoch, loss) {
      done += 1;
      last = { epoch: epoch + 1, loss: loss.toPrecision(4) };
      if (Date.now() - written >= everyMs) write();
    },
    stop() {
      write();
    },
  };
}

/**
 * A cli-progress bar on `stream` (stderr by default) for `total` batches over `epochs` epochs. When the stream is
 * not a terminal (a log file, CI), plain lines with the same figures instead, at most one every 30 seconds.
 */
export function createTrainingProgress(
  label: string,
  total: number,
  epochs: number,
  stream: NodeJS.WritableStream = process.stderr,
): TrainingProgress {
  if (!(stream as { isTTY?: boolean }).isTTY) return lineProgress(label, total, epochs, stream, 30_000);
  const bar = new SingleBar(
    {
      stream,
      format: `${label} |{bar}| {percentage}% | epoch {epoch}/${epochs} | {value}/{total} batches | {rate} batch/s | ETA {eta_formatted} | loss {loss}`,
      hideCursor: true,
      etaBuffer: 50,
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
