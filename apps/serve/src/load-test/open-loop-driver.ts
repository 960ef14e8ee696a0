import { performance } from 'node:perf_hooks';

/** A time source in milliseconds and a way to wait until a time. */
export interface Clock {
  now(): number;
  /** Resolves at (or soon after) `timeMs`; at once when it has passed. */
  sleepUntil(timeMs: number): Promise<void>;
}

/**
 * The process clock. Waits of more than 1.5 ms use a timer that wakes 1 ms early; the rest yield
 * with setImmediate (answers are still read in between), so arrivals go out within a fraction of a
 * millisecond of their time unless the generator itself is busy.
 */
export const processClock: Clock = {
  now: () => performance.now(),
  sleepUntil(timeMs) {
    return new Promise<void>((resolve) => {
      const check = () => {
        const left = timeMs - performance.now();
        if (left <= 0) resolve();
        else if (left > 1.5) setTimeout(check, left - 1);
        else setImmediate(check);
      };
      check();
    });
  },
};

/** What a request got: an HTTP status and body, or an error (connection failed, client timeout). */
export type Outcome = { readonly status: number; readonly body: string } | { readonly error: Error };

/** Sends request `k` of a schedule. */
export type Sender = (k: number) => Promise<Outcome>;

export interface ScheduleRun {
  readonly scheduled: number;
  /** Requests sent more than 1 ms after their scheduled time (the generator fell behind). */
  readonly late: number;
  readonly maxLateMs: number;
  /** From the start of the schedule to the last answer, ms. */
  readonly spanMs: number;
}

/**
 * Open-loop load: request k goes out at `arrivalsMs[k]` (ms from the start) whatever happened to
 * the others, and `onDone` gets its outcome with the latency counted from its SCHEDULED time, not
 * from when it was actually sent: a generator that falls behind does not hide the queueing its
 * requests would have met (coordinated omission); how often it fell behind is reported instead.
 */
export async function driveSchedule(
  arrivalsMs: Float64Array,
  send: Sender,
  onDone: (k: number, outcome: Outcome, latencyMs: number) => void,
  clock: Clock = processClock,
): Promise<ScheduleRun> {
  const start = clock.now();
  const pending: Promise<void>[] = [];
  let late = 0;
  let maxLateMs = 0;
  for (let k = 0; k < arrivalsMs.length; k++) {
    const due = start + arrivalsMs[k]!;
    await clock.sleepUntil(due);
    const lateMs = clock.now() - due;
    if (lateMs > 1) late++;
    maxLateMs = Math.max(maxLateMs, lateMs);
    pending.push(
      send(k).then(
        (outcome) => onDone(k, outcome, clock.now() - due),
        (error: unknown) => onDone(k, { error: error instanceof Error ? error : new Error(String(error)) }, clock.now() - due),
      ),
    );
  }
  await Promise.all(pending);
  return { scheduled: arrivalsMs.length, late, maxLateMs, spanMs: clock.now() - start };
}
