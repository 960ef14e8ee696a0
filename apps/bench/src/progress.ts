/** A one-line progress bar on stderr for the timing runs; silent when stderr is not a terminal. */
export interface Progress {
  tick(label: string): void;
  stop(): void;
}

export function createProgress(total: number, enabled: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  const active = enabled && stream.isTTY === true;
  const started = Date.now();
  let done = 0;
  const width = 30;
  return {
    tick(label) {
      done += 1;
      if (!active) return;
      const filled = Math.round((done / total) * width);
      const seconds = (Date.now() - started) / 1000;
      const eta = done > 0 ? (seconds / done) * (total - done) : 0;
      stream.write(
        `\r\x1b[2Kbench |${'█'.repeat(filled)}${'░'.repeat(width - filled)}| ${done}/${total} | ${seconds.toFixed(0)} s, ETA ${eta.toFixed(0)} s | ${label}`,
      );
    },
    stop() {
      if (active) stream.write('\n');
    },
  };
}
