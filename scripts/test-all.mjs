// Runs every package's tests through turbo, then prints the totals from the
// vitest JSON reports as a line of its own: "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureChromium } from './ensure-chromium.mjs';
import { ensurePythonOnnx } from './ensure-python-onnx.mjs';

const roots = ['packages', 'apps'];
const reportName = 'test-results.json';
const reports = () =>
  roots.flatMap((root) =>
    existsSync(root) ? readdirSync(root).map((dir) => join(root, dir, reportName)) : [],
  );

for (const file of reports()) rmSync(file, { force: true });

ensureChromium();
// The official ONNX checker runs on every compiled model: a missing checker fails the run.
ensurePythonOnnx();

const extra = process.argv.slice(2);
const run = spawnSync('pnpm', ['exec', 'turbo', 'run', 'test', '--continue', ...extra], {
  stdio: 'inherit',
  env: { TURBO_TELEMETRY_DISABLED: '1', OFFRAMP_REQUIRE_ONNX_CHECKER: '1', ...process.env },
});

let passed = 0;
let failed = 0;
let suitesFailed = 0;
for (const file of reports()) {
  if (!existsSync(file)) continue;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  suitesFailed += report.numFailedTestSuites ?? 0;
}
if (suitesFailed > 0) console.log(`${suitesFailed} test files failed to run`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(run.status === 0 && failed === 0 ? 0 : 1);
