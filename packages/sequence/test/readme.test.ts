import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

/** The README's example, importing this package from its source. */
async function readmeExample(): Promise<string> {
  const readme = await readFile(join(here, '..', 'README.md'), 'utf8');
  const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!code) throw new Error('README.md has no ts example');
  return code.replace("from '@offramp/sequence'", "from '../src/index.js'");
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('README', () => {
  it('runs its example', async () => {
    const file = join(here, `readme-example-${process.pid}.ts`);
    const lines: unknown[][] = [];
    const log = console.log;
    await writeFile(file, await readmeExample());
    console.log = (...args: unknown[]) => void lines.push(args);
    try {
      await import(file);
    } finally {
      console.log = log;
      await rm(file, { force: true });
    }
    expect(lines).toHaveLength(2);
    const [exit, macs, vocab] = lines[0] as [number, number, number];
    expect(exit).toBeGreaterThanOrEqual(0);
    expect(macs).toBeGreaterThan(0);
    expect(vocab).toBe(512);
    const [imageExit, , tokens] = lines[1] as [Int32Array, Int32Array, Int32Array];
    expect(imageExit).toHaveLength(1);
    expect(tokens).toHaveLength(7);
  });
});
