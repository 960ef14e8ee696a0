import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { loadPeer, MissingPeerError, requirePeer } from '../src/index.js';

const require = createRequire(import.meta.url);
const NO_SUCH = 'offramp-no-such-peer';

describe('optional peers', () => {
  it('turns a missing package into a MissingPeerError naming it and its install command', async () => {
    const missing = loadPeer(NO_SUCH, `npm i ${NO_SUCH}@^1.0.0`, () => import(NO_SUCH));
    await expect(missing).rejects.toBeInstanceOf(MissingPeerError);
    await expect(missing).rejects.toThrow(
      `${NO_SUCH}: expected the optional peer ${NO_SUCH} installed (npm i ${NO_SUCH}@^1.0.0), received no such package`,
    );
    let caught: unknown;
    try {
      requirePeer(NO_SUCH, `npm i ${NO_SUCH}`, () => require.resolve(`${NO_SUCH}/package.json`));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MissingPeerError);
    expect((caught as MissingPeerError).code).toBe('PEER_MISSING');
    expect((caught as MissingPeerError).packageName).toBe(NO_SUCH);
  });
  it('passes installed packages through, and other errors (another missing package, a failing load) unchanged', async () => {
    expect(await loadPeer('zod', 'npm i zod', () => import('zod'))).toHaveProperty('z');
    const other = loadPeer('zod', 'npm i zod', () => import(NO_SUCH));
    await expect(other).rejects.not.toBeInstanceOf(MissingPeerError);
    expect(() =>
      requirePeer('zod', 'npm i zod', () => {
        throw new RangeError('broken');
      }),
    ).toThrow(RangeError);
  });
});
