import type { Browser } from 'playwright-core';

/** One page load, timed in the page (performance.now(): milliseconds since navigation start). */
export interface PageLoadTiming {
  /** From navigation start to the network, trace and sample digits fetched and decoded. */
  readonly modelLoadedMs: number;
  /** ... to every onnxruntime-web session created (the wasm runtime compiled and started). */
  readonly engineReadyMs: number;
  /** From navigation start to the first prediction shown (model, runtime and wasm loaded, one early-exit run). */
  readonly firstPredictionMs: number;
  /** The first early-exit run alone (runEarlyExit on onnxruntime-web, one digit). */
  readonly firstRunMs: number;
  /** A later run on the same digit (warm sessions). */
  readonly warmRunMs: number;
}

/** Loads the page in a fresh browser context (empty cache) and reads the timings it records. */
export async function timePageLoad(browser: Browser, url: string): Promise<PageLoadTiming> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForSelector('body[data-first-prediction]', { timeout: 60_000 });
    const firstPredictionMs = Number(await page.getAttribute('body', 'data-first-prediction'));
    const modelLoadedMs = Number(await page.getAttribute('body', 'data-model-loaded'));
    const engineReadyMs = Number(await page.getAttribute('body', 'data-engine-ready'));
    const firstRunMs = Number(await page.getAttribute('#result', 'data-milliseconds'));
    const warm: number[] = [];
    for (let r = 0; r < 5; r++) {
      await page.click('#samples button[data-sample="1"]');
      await page.waitForSelector('#result[data-input="sample-1"]');
      warm.push(Number(await page.getAttribute('#result', 'data-milliseconds')));
      await page.click('#samples button[data-sample="0"]');
      await page.waitForSelector('#result[data-input="sample-0"]');
    }
    warm.sort((a, b) => a - b);
    return { modelLoadedMs, engineReadyMs, firstPredictionMs, firstRunMs, warmRunMs: warm[Math.floor(warm.length / 2)]! };
  } finally {
    await context.close();
  }
}
