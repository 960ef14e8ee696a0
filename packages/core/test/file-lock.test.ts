import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError } from '../src/index.js';
import { withFileLock } from '../src/node.js';
import { deadPid, liveProcess } from './processes.js';

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'offramp-lock-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('withFileLock', () => {
  it('runs holders one at a time and removes the lock afterwards', async () => {
    const dir = await mkdtemp(join(folder, 'serial-'));
    const lock = join(dir, '.lock');
    const events: string[] = [];
    const holder = (name: string) =>
      withFileLock(
        lock,
        async () => {
          events.push(`${name} in`);
          expect(await readFile(lock, 'utf8')).toBe(`${process.pid}\n`);
          await sleep(20);
          events.push(`${name} out`);
          return name;
        },
        { pollMs: 2 },
      );
    expect(await Promise.all([holder('a'), holder('b'), holder('c')])).toEqual(['a', 'b', 'c']);
    for (let i = 0; i < events.length; i += 2) expect(events[i + 1]).toBe(events[i]!.replace('in', 'out'));
    expect(await readdir(dir)).toEqual([]);
  });

  it('releases the lock when the body throws', async () => {
    const dir = await mkdtemp(join(folder, 'throws-'));
    await expect(withFileLock(join(dir, '.lock'), () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await readdir(dir)).toEqual([]);
  });

  it('takes over a lock whose holder was killed, or that says no holder', async () => {
    const dir = await mkdtemp(join(folder, 'stale-'));
    const lock = join(dir, '.lock');
    const dead = await deadPid();
    await writeFile(lock, `${dead}\n`);
    await writeFile(`${lock}.${dead}-0123456789ab.tmp`, `${dead}\n`);
    expect(await withFileLock(lock, async () => readFile(lock, 'utf8'))).toBe(`${process.pid}\n`);
    await writeFile(lock, 'garbage');
    expect(await withFileLock(lock, async () => 'taken')).toBe('taken');
    expect(await readdir(dir)).toEqual([]);
  });

  it("waits for a running holder, then gives up with an error naming the lock and its holder", async () => {
    const dir = await mkdtemp(join(folder, 'live-'));
    const lock = join(dir, '.lock');
    const live = liveProcess();
    try {
      await writeFile(lock, `${live.pid}\n`);
      const waiting = withFileLock(lock, async () => 'never', { timeoutMs: 60, pollMs: 5 });
      await expect(waiting).rejects.toThrow(ArgumentError);
      await expect(withFileLock(lock, async () => 'never', { timeoutMs: 30, pollMs: 5 })).rejects.toThrow(
        new RegExp(`^${lock.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: expected the lock released within 30 ms, received a lock held by process ${live.pid}, still running`),
      );
      expect(await readFile(lock, 'utf8')).toBe(`${live.pid}\n`);
      expect(await readdir(dir)).toEqual(['.lock']);
    } finally {
      await live.stop();
    }
  });
});
