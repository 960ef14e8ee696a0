import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createTrainingProgress } from '../src/index.js';

/** A writable that says it is a terminal and keeps what was written. */
class TerminalCapture extends Writable {
  readonly isTTY = true;
  readonly columns = 200;
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** A writable that is not a terminal. */
class PipeCapture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

describe('createTrainingProgress', () => {
  it('shows the label, epoch, batches, rate, ETA and running loss on a terminal', () => {
    const stream = new TerminalCapture();
    const progress = createTrainingProgress('warm-up', 4, 2, stream);
    progress.tick(0, 1.25);
    progress.tick(0, 1.0);
    progress.tick(1, 0.5);
    progress.stop();
    expect(stream.text).toContain('warm-up');
    expect(stream.text).toContain('epoch 2/2');
    expect(stream.text).toContain('3/4 batches');
    expect(stream.text).toContain('batch/s');
    expect(stream.text).toContain('ETA');
    expect(stream.text).toContain('loss 0.5000');
  });

  it('writes plain lines, not a redrawn bar, when the stream is not a terminal (a log file)', () => {
    const stream = new PipeCapture();
    const progress = createTrainingProgress('train', 2, 1, stream);
    progress.tick(0, 1);
    progress.tick(0, 1);
    progress.stop();
    // no cursor movement or line clearing, only whole lines: one after the first batch, one at the end
    expect(stream.text.includes(String.fromCharCode(27))).toBe(false);
    const lines = stream.text.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^train \| 50% \| epoch 1\/1 \| 1\/2 batches \| [\d.]+ batch\/s \| elapsed 0:00 \| ETA [\d:-]+ \| loss 1\.000$/);
    expect(lines[1]).toContain('2/2 batches');
    expect(stream.text.endsWith('\n')).toBe(true);
  });
});
