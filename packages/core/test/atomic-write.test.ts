import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../src/node.js';
import { isProcessAlive, staleTemporary, temporaryPath } from '../src/temporary-files.js';
import { deadPid, liveProcess } from './processes.js';

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'offramp-atomic-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

const fresh = async (name: string): Promise<string> => mkdtemp(join(folder, `${name}-`));

describe('writeFileAtomic', () => {
  it('writes, replaces whole and leaves nothing but the file', async () => {
    const dir = await fresh('replace');
    const path = join(dir, 'deep', 'model.bin');
    await writeFileAtomic(path, 'old');
    await writeFileAtomic(path, Uint8Array.of(1, 2, 3));
    expect([...(await readFile(path))]).toEqual([1, 2, 3]);
    expect(await readdir(join(dir, 'deep'))).toEqual(['model.bin']);
  });

  it('names its temporary after the target and this process', () => {
    expect(temporaryPath('/a/model.ckpt')).toMatch(new RegExp(`^/a/model\\.ckpt\\.${process.pid}-[0-9a-f]{12}\\.tmp$`));
  });

  it("removes the temporaries of killed writers and keeps live writers'", async () => {
    const dir = await fresh('stale');
    const dead = await deadPid();
    const live = liveProcess();
    try {
      const names = {
        dead: `model.ckpt.${dead}-0123456789ab.tmp`,
        live: `model.ckpt.${live.pid}-0123456789ab.tmp`,
        mine: `model.ckpt.${process.pid}-0123456789ab.tmp`,
        otherTarget: `other.ckpt.${dead}-0123456789ab.tmp`,
        otherLive: `other.ckpt.${live.pid}-0123456789ab.tmp`,
        unrelated: 'model.ckpt.notes.tmp',
      };
      for (const name of Object.values(names)) await writeFile(join(dir, name), 'partial');
      await writeFileAtomic(join(dir, 'model.ckpt'), 'whole');
      const left = await readdir(dir);
      // a dead writer's temporary of any file goes (nothing can finish it); live writers' and other files stay
      expect(left.sort()).toEqual(['model.ckpt', names.live, names.mine, names.otherLive, names.unrelated].sort());
    } finally {
      await live.stop();
    }
  });

  it('tells stale temporaries by their writer', async () => {
    const dead = await deadPid();
    expect(isProcessAlive(dead)).toBe(false);
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(staleTemporary(`a.json.${dead}-0123456789ab.tmp`)).toBe('a.json');
    expect(staleTemporary(`a.json.${process.pid}-0123456789ab.tmp`)).toBeUndefined();
    expect(staleTemporary('a.json')).toBeUndefined();
    expect(staleTemporary('a.json.0123456789ab.tmp')).toBeUndefined();
  });

  it('removes its temporary when the rename fails', async () => {
    const dir = await fresh('failing');
    await mkdir(join(dir, 'taken', 'inside'), { recursive: true });
    await expect(writeFileAtomic(join(dir, 'taken'), 'x')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['taken']);
  });
});
