import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { measureBundle } from '../src/measure/bundle-size.js';
import { medianTiming } from '../src/measure/report.js';
import { serveStatic } from '../src/web/static-server.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function site(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'playground-site-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

describe('measureBundle', () => {
  it('sums raw and gzip bytes by kind', async () => {
    const js = 'console.log(1);'.repeat(50);
    const dir = await site({ 'assets/a.js': js, 'assets/b.css': 'p{}', 'assets/r.wasm': 'xx', 'model/m.json': '{}', 'index.html': '<p>' });
    const sizes = await measureBundle(dir);
    expect(sizes.js).toEqual({ files: 1, raw: js.length, gzip: gzipSync(js, { level: 9 }).length });
    expect(sizes.code.files).toBe(3);
    expect(sizes.code.raw).toBe(js.length + 3 + 2);
    expect(sizes.model.raw).toBe(2);
  });

  it('fails when tfjs is in the JavaScript', async () => {
    const dir = await site({ 'assets/a.js': 'import "@tensorflow/tfjs";' });
    await expect(measureBundle(dir)).rejects.toThrow(/assets\/a.js: expected a bundle without tfjs/);
  });

  it('keeps protobuf out of the JavaScript index.html loads, and counts the chunks fetched later apart', async () => {
    const index = '<script type="module" crossorigin src="./assets/index-1.js"></script><link rel="modulepreload" href="./assets/shared-2.js">';
    const lazy = 'const ModelProto = {};';
    const dir = await site({ 'index.html': index, 'assets/index-1.js': 'main();', 'assets/shared-2.js': 's();', 'assets/compiled-path-3.js': lazy });
    const sizes = await measureBundle(dir);
    expect(sizes.js.files).toBe(3);
    expect(sizes.lazyJs).toEqual({ files: 1, raw: lazy.length, gzip: gzipSync(lazy, { level: 9 }).length });
    const eager = await site({ 'index.html': index, 'assets/index-1.js': lazy });
    await expect(measureBundle(eager)).rejects.toThrow(/assets\/index-1.js: expected JavaScript loaded with the page without protobuf/);
  });
});

describe('report helpers', () => {
  it('takes medians per timing', () => {
    const run = (x: number) => ({ modelLoadedMs: x, engineReadyMs: 2 * x, firstPredictionMs: 3 * x, firstRunMs: x, warmRunMs: x });
    expect(medianTiming([run(1), run(5), run(2)]).firstPredictionMs).toBe(6);
    expect(medianTiming([run(1), run(2)]).engineReadyMs).toBe(3);
    expect(() => medianTiming([])).toThrow(/runs/);
  });
});

describe('serveStatic', () => {
  it('serves files with their type, 404 for missing ones, and nothing outside the root', async () => {
    const dir = await site({ 'index.html': '<p>hi</p>', 'x.wasm': 'w' });
    const server = await serveStatic(dir);
    try {
      const index = await fetch(server.url);
      expect(index.headers.get('content-type')).toContain('text/html');
      expect(await index.text()).toBe('<p>hi</p>');
      expect((await fetch(`${server.url}x.wasm`)).headers.get('content-type')).toBe('application/wasm');
      expect((await fetch(`${server.url}missing.js`)).status).toBe(404);
      expect((await fetch(`${server.url}..%2f..%2fetc%2fpasswd`)).status).toBe(403);
    } finally {
      await server.close();
    }
  });
});

describe('launchChromium', () => {
  it('fails with how to install Chromium when it is missing', async () => {
    const { launchChromium } = await import('../src/browser/chromium.js');
    const { BrowserMissingError } = await import('../src/errors.js');
    const saved = process.env.CHROMIUM_PATH;
    process.env.CHROMIUM_PATH = join(tmpdir(), 'no-such-chromium');
    try {
      const error = await launchChromium().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BrowserMissingError);
      expect(String((error as Error).message)).toMatch(/apt-get install -y chromium/);
    } finally {
      if (saved === undefined) delete process.env.CHROMIUM_PATH;
      else process.env.CHROMIUM_PATH = saved;
    }
  });
});
