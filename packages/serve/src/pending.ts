import type { Answer } from './answer.js';

/** One admitted sample waiting for its answer. */
export interface Pending {
  readonly input: Float32Array;
  /** performance.now() at admission. */
  readonly admitted: number;
  resolve(answer: Answer): void;
  reject(error: unknown): void;
}

/** The answer fields that come from the network; serverMs is added when the answer leaves. */
export type NetworkAnswer = Omit<Answer, 'serverMs'>;

export function answerOf(pending: Pending, answer: NetworkAnswer): Answer {
  return { ...answer, serverMs: performance.now() - pending.admitted };
}

/** Resolves the promises of everyone waiting for the scheduler to fall idle. */
export class IdleWaiters {
  #waiters: (() => void)[] = [];

  wait(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  release(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}
