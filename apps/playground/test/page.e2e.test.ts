import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateTrace, type Gate } from '@offramp/core';
import { entropyGate, maxProbGate } from '@offramp/gates';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../src/browser/chromium.js';
import { scriptsLoadedWithPage } from '../src/measure/bundle-size.js';
import { compileGate } from '../src/page/custom-gate.js';
import { operatingPoint } from '../src/page/curve.js';
import { EXAMPLE_GATE } from '../src/page/example-gate.js';
import { costsWithGate, defaultGate } from '../src/page/gate-choices.js';
import type { PageModel } from '../src/page/load-model.js';
import { buildPage } from '../src/web/build-page.js';
import { type StaticServer, serveStatic } from '../src/web/static-server.js';
import { loadCommittedModel } from './committed-model.js';

/** What trace evaluation (core's evaluateTrace on the committed test trace) says for test digit `index`. */
function expectedExit(model: PageModel, gate: Gate, threshold: number, index: number): { exit: number; prediction: number } {
  const result = evaluateTrace(model.trace, gate, threshold, costsWithGate(model.bundle.manifest.macs, gate));
  return { exit: result.exit[index]!, prediction: result.prediction[index]! };
}

/** Draws a stroke through `points` (canvas pixels of the 280 x 280 pad) with the mouse; waits for its prediction. */
async function stroke(page: Page, points: readonly [number, number][]): Promise<void> {
  const before = Number(await page.getAttribute('#result', 'data-run'));
  await page.locator('#pad').scrollIntoViewIfNeeded();
  const box = (await page.locator('#pad').boundingBox())!;
  const at = ([x, y]: [number, number]) => [box.x + (x * box.width) / 280, box.y + (y * box.height) / 280] as const;
  await page.mouse.move(...at(points[0]!));
  await page.mouse.down();
  for (const p of points.slice(1)) await page.mouse.move(...at(p), { steps: 6 });
  await page.mouse.up();
  await page.waitForFunction((n) => Number(document.getElementById('result')?.dataset.run) > n, before);
}

describe('the playground in headless Chromium', () => {
  let model: PageModel;
  let outDir: string;
  let server: StaticServer | undefined;
  let browser: Browser | undefined;
  let page: Page;

  beforeAll(async () => {
    model = await loadCommittedModel();
    outDir = await mkdtemp(join(tmpdir(), 'playground-site-'));
    await buildPage(outDir);
    server = await serveStatic(outDir);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(server.url);
    await page.waitForSelector('#status[data-state=ready], #status[data-state=error]');
    expect(await page.getAttribute('#status', 'data-state'), await page.textContent('#status') ?? '').toBe('ready');
    expect(errors).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('builds a bundle with onnxruntime-web, no tfjs, and protobuf only in the compiled path\'s own chunk', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const assets = await readdir(join(outDir, 'assets'));
    const atLoad = scriptsLoadedWithPage(await readFile(join(outDir, 'index.html'), 'utf8'));
    const files = assets.filter((f) => f.endsWith('.js'));
    const text = new Map<string, string>(await Promise.all(files.map(async (f) => [`assets/${f}`, await readFile(join(outDir, 'assets', f), 'utf8')] as const)));
    const js = [...text.values()].join('\n');
    expect(js).toContain('InferenceSession');
    expect(js).not.toMatch(/@tensorflow|tfjs-core/);
    expect(atLoad.size).toBeGreaterThan(0);
    for (const file of atLoad) expect(text.get(file), file).not.toContain('ModelProto');
    const lazy = [...text.keys()].filter((f) => !atLoad.has(f));
    expect(lazy.some((f) => text.get(f)!.includes('ModelProto'))).toBe(true);
    expect(assets.some((f) => f.endsWith('.wasm'))).toBe(true);
  });

  it('predicts a picked test digit at the exit trace evaluation gives', async () => {
    const threshold = model.bundle.manifest.policy!.thresholds![0]!;
    const gate = defaultGate(maxProbGate, { exits: 3, classes: 10 });
    // A digit that early exit runs past the first exit, if the sample has one: the more telling case.
    const ks = Array.from({ length: model.samples.count }, (_, k) => k);
    const k = ks.find((k) => expectedExit(model, gate, threshold, model.samples.indices[k]!).exit > 0) ?? 0;
    const expected = expectedExit(model, gate, threshold, model.samples.indices[k]!);
    await page.click(`#samples button[data-sample="${k}"]`);
    await page.waitForSelector(`#result[data-input="sample-${k}"]`);
    expect(await page.getAttribute('#result', 'data-gate')).toBe('max-prob');
    expect(Number(await page.getAttribute('#result', 'data-prediction'))).toBe(model.samples.labels[k]);
    expect(Number(await page.getAttribute('#result', 'data-prediction'))).toBe(expected.prediction);
    expect(Number(await page.getAttribute('#result', 'data-exit'))).toBe(expected.exit);
    expect(await page.getAttribute('#exits tr.stopped', 'data-exit')).toBe(String(expected.exit));
    expect(await page.textContent('#result')).toContain('runner = trace');
  });

  it('recognises digits drawn with the mouse (1, 0, 7)', async () => {
    await page.click('#clear');
    await stroke(page, [
      [140, 40],
      [140, 240],
    ]);
    await page.waitForSelector('#result[data-input=drawing][data-state=done]');
    expect(await page.getAttribute('#result', 'data-prediction')).toBe('1');
    await page.click('#clear');
    const circle = Array.from({ length: 25 }, (_, i): [number, number] => [140 + 70 * Math.sin((i / 24) * 2 * Math.PI), 140 - 95 * Math.cos((i / 24) * 2 * Math.PI)]);
    await stroke(page, circle);
    await page.waitForSelector('#result[data-input=drawing][data-state=done]');
    expect(await page.getAttribute('#result', 'data-prediction')).toBe('0');
    await page.click('#clear');
    await stroke(page, [
      [80, 50],
      [200, 50],
      [120, 250],
    ]);
    await page.waitForSelector('#result[data-input=drawing][data-state=done]');
    expect(await page.getAttribute('#result', 'data-prediction')).toBe('7');
  });

  it('switches the gate and its threshold live', async () => {
    await page.selectOption('#gate', 'entropy');
    await page.waitForSelector('#result[data-gate=entropy]');
    const gate = defaultGate(entropyGate, { exits: 3, classes: 10 });
    const costs = costsWithGate(model.bundle.manifest.macs, gate);
    const atDefault = operatingPoint(model.trace, model.labels, gate, gate.defaultThreshold, costs);
    expect(Number(await page.getAttribute('#operating-point', 'data-accuracy'))).toBeCloseTo(atDefault.accuracy, 10);
    await page.locator('#threshold').fill('0.5');
    await page.waitForSelector('#result[data-threshold="0.5"]');
    const atHalf = operatingPoint(model.trace, model.labels, gate, 0.5, costs);
    expect(Number(await page.getAttribute('#operating-point', 'data-accuracy'))).toBeCloseTo(atHalf.accuracy, 10);
    expect(Number(await page.getAttribute('#operating-point', 'data-cost'))).toBeCloseTo(atHalf.cost, 10);
    await page.click('#samples button[data-sample="0"]');
    await page.waitForSelector('#result[data-input="sample-0"][data-gate=entropy]');
    const expected = expectedExit(model, gate, 0.5, model.samples.indices[0]!);
    expect(Number(await page.getAttribute('#result', 'data-exit'))).toBe(expected.exit);
    expect(await page.locator('#curve svg #operating-point').count()).toBe(1);
  });

  it('answers from the compiled graph with the exit and prediction of the JS runner', async () => {
    await page.selectOption('#gate', 'max-prob');
    await page.waitForSelector('#result[data-gate=max-prob]');
    const threshold = model.bundle.manifest.policy!.thresholds![0]!;
    const gate = defaultGate(maxProbGate, { exits: 3, classes: 10 });
    const ks = Array.from({ length: model.samples.count }, (_, k) => k);
    const k = ks.find((k) => expectedExit(model, gate, threshold, model.samples.indices[k]!).exit > 0) ?? 0;
    await page.click(`#samples button[data-sample="${k}"]`);
    await page.waitForSelector(`#result[data-input="sample-${k}"][data-path=js]`);
    const before = Number(await page.getAttribute('#result', 'data-run'));
    await page.selectOption('#path', 'compiled');
    await page.waitForFunction((n) => Number(document.getElementById('result')?.dataset.run) > n, before);
    await page.waitForSelector('#result[data-path=compiled][data-compiled=compiled]');
    const attribute = async (name: string) => Number(await page.getAttribute('#result', `data-${name}`));
    const expected = expectedExit(model, gate, threshold, model.samples.indices[k]!);
    expect(await attribute('exit')).toBe(expected.exit);
    expect(await attribute('prediction')).toBe(expected.prediction);
    expect(await attribute('exit')).toBe(await attribute('js-exit'));
    expect(await attribute('prediction')).toBe(await attribute('js-prediction'));
    expect(await page.getAttribute('#result', 'data-paths-agree')).toBe('true');
    expect(await page.textContent('#path-result')).toContain('The JS runner agrees');
    // The same graph answers the next digit; a new threshold compiles a new one.
    await page.click('#samples button[data-sample="0"]');
    await page.waitForSelector('#result[data-input="sample-0"][data-path=compiled][data-compiled=reused]');
    expect(await page.getAttribute('#result', 'data-paths-agree')).toBe('true');
    await page.locator('#threshold').fill('0.95');
    await page.waitForSelector('#result[data-threshold="0.95"][data-path=compiled][data-compiled=compiled]');
    const strict = expectedExit(model, gate, 0.95, model.samples.indices[0]!);
    expect(await attribute('exit')).toBe(strict.exit);
    expect(await attribute('prediction')).toBe(strict.prediction);
    expect(await page.getAttribute('#result', 'data-paths-agree')).toBe('true');
  });

  it('compiles a pasted gate, shows its errors, and runs it on the trace and the input', async () => {
    await page.fill('#custom-source', 'defineGate({ name: "Bad Name", range: { min: 0, max: 1 }, defaultThreshold: 0.5, score: () => () => new Float32Array(0) })');
    await page.click('#custom-apply');
    await page.waitForSelector('#custom-error[data-field="definition.name"]');
    expect(await page.textContent('#custom-error')).toContain('kebab-case');
    await page.fill('#custom-source', 'defineGate({ name: ');
    await page.click('#custom-apply');
    await page.waitForSelector('#custom-error[data-field="source"]');
    expect(await page.textContent('#custom-error')).toContain('SyntaxError');

    await page.fill('#custom-source', EXAMPLE_GATE);
    await page.click('#custom-apply');
    await page.waitForSelector('#custom-result[data-gate=top-two-ratio]');
    expect(await page.textContent('#custom-error')).toBe('');
    await page.waitForSelector('#result[data-gate=top-two-ratio]');
    expect(await page.inputValue('#gate')).toBe('custom: top-two-ratio');
    const gate = defaultGate(compileGate(EXAMPLE_GATE), { exits: 3, classes: 10 });
    const point = operatingPoint(model.trace, model.labels, gate, gate.defaultThreshold, costsWithGate(model.bundle.manifest.macs, gate));
    expect(Number(await page.getAttribute('#custom-result', 'data-accuracy'))).toBeCloseTo(point.accuracy, 10);
    const expected = expectedExit(model, gate, gate.defaultThreshold, model.samples.indices[0]!);
    expect(Number(await page.getAttribute('#result', 'data-exit'))).toBe(expected.exit);
    // The compiled graph is still chosen, but the pasted gate has no ONNX form: the JS runner answered.
    expect(await page.getAttribute('#result', 'data-path')).toBe('js');
    expect(await page.getAttribute('#result', 'data-compiled')).toBe('unavailable');
    expect(await page.textContent('#path-result')).toContain('top-two-ratio has no ONNX form');


    // The pasted gate on a drawing.
    await page.click('#clear');
    await stroke(page, [
      [110, 60],
      [150, 30],
      [150, 250],
    ]);
    await page.waitForSelector('#result[data-input=drawing][data-state=done][data-gate=top-two-ratio]');
    expect(await page.getAttribute('#result', 'data-prediction')).toBe('1');
    const dir = process.env.PLAYGROUND_SCREENSHOT_DIR ?? join(tmpdir(), 'playground-e2e');
    await mkdir(dir, { recursive: true });
    await page.screenshot({ path: join(dir, 'playground.png'), fullPage: true });
  });
});
