#!/usr/bin/env node
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '@offramp/core/node';
import { Command } from 'commander';
import { positiveInt, updateMarkedSection } from '@offramp/app-kit';
import { launchChromium } from '../browser/chromium.js';
import { buildPage } from '../web/build-page.js';
import { APP_DIR } from '../web/page-config.js';
import { serveStatic } from '../web/static-server.js';
import { measureBundle } from './bundle-size.js';
import { timePageLoad } from './first-prediction.js';
import { type MeasureReport, measureTable, medianTiming, README_SECTION } from './report.js';

const opts = new Command()
  .name('measure')
  .description('Build the page, report its bundle size and the first-prediction latency in headless Chromium.')
  .option('--runs <n>', 'fresh page loads to time', positiveInt, 5)
  .option('--results-dir <dir>', 'where measure.json is written', join(APP_DIR, 'results'))
  .option('--readme <file>', 'README whose table is updated', join(APP_DIR, 'README.md'))
  .option('--no-readme', 'leave the README as it is')
  .parse()
  .opts<{ runs: number; resultsDir: string; readme: string | false }>();

const siteDir = join(APP_DIR, 'dist', 'site');
console.log('building the page with Vite...');
await buildPage(siteDir);
const sizes = await measureBundle(siteDir);
console.log(`code: ${(sizes.code.raw / 1024).toFixed(0)} KiB raw, ${(sizes.code.gzip / 1024).toFixed(0)} KiB gzip (no tfjs in the JS)`);

const loadAverage = loadavg()[0]!;
const server = await serveStatic(siteDir);
const browser = await launchChromium();
try {
  const runs = [];
  for (let r = 0; r < opts.runs; r++) {
    const started = Date.now();
    const timing = await timePageLoad(browser, server.url);
    runs.push(timing);
    console.log(
      `load ${r + 1}/${opts.runs}: first prediction at ${timing.firstPredictionMs.toFixed(0)} ms ` +
        `(first run ${timing.firstRunMs.toFixed(1)} ms, warm run ${timing.warmRunMs.toFixed(1)} ms) [${((Date.now() - started) / 1000).toFixed(1)} s]`,
    );
  }
  const report: MeasureReport = {
    date: new Date().toISOString(),
    chromium: `Chromium ${browser.version()}`,
    cpus: cpus().length,
    loadAverage,
    sizes,
    runs,
    median: medianTiming(runs),
  };
  await writeFileAtomic(join(opts.resultsDir, 'measure.json'), `${JSON.stringify(report, null, 2)}\n`);
  const table = measureTable(report);
  console.log(table);
  if (opts.readme) {
    await updateMarkedSection(opts.readme, README_SECTION, table);
    console.log(`updated ${opts.readme}`);
  }
} finally {
  await browser.close();
  await server.close();
}
