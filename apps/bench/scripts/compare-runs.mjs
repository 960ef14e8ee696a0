// Compares bench runs of two builds: after / before ratios of samples per second (median over the runs of each),
// per network, runtime and batch size, for the full graph, JS-driven early exit and the compiled graph.
// Usage: node apps/bench/scripts/compare-runs.mjs <before-out-dir,...> <after-out-dir,...>
// where each folder is the --out-dir of one `node apps/bench/dist/main.js --no-readme` run (alternate the builds).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [beforeArg, afterArg] = process.argv.slice(2);
if (!beforeArg || !afterArg) {
  console.error('usage: compare-runs.mjs <before-dir,...> <after-dir,...>');
  process.exit(2);
}
const load = (list) => list.split(',').map((dir) => JSON.parse(readFileSync(join(dir, 'bench.json'), 'utf8')));
const befores = load(beforeArg);
const afters = load(afterArg);
const modes = {
  full: (b) => b.full.samplesPerSecond,
  'JS early exit': (b) => b.early.samplesPerSecond,
  compiled: (b) => b.compiled.early.samplesPerSecond,
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const geometricMean = (xs) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
const ratios = Object.fromEntries(Object.keys(modes).map((m) => [m, []]));
console.log(`| network (runtime) | batch | ${Object.keys(modes).join(' | ')} |\n|---|---|${Object.keys(modes).map(() => '---|').join('')}`);
befores[0].networks.forEach((network, i) => {
  network.batches.forEach((batch, j) => {
    const cells = Object.entries(modes).map(([mode, rate]) => {
      const at = (runs) => median(runs.map((run) => rate(run.networks[i].batches[j])));
      const ratio = at(afters) / at(befores);
      ratios[mode].push(ratio);
      return ratio.toFixed(2);
    });
    const runtime = network.runtime.includes('web') ? 'web' : 'node';
    console.log(`| ${network.name} (${runtime}) | ${batch.batch} | ${cells.join(' | ')} |`);
  });
});
console.log(`| geometric mean | | ${Object.values(ratios).map((xs) => geometricMean(xs).toFixed(2)).join(' | ')} |`);
