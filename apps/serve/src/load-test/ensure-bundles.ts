import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * The load test serves the networks apps/bench trains and exports. When a bundle is missing, this
 * runs the bench's command once (short timing settings, results to a temporary folder) so that it
 * trains the networks (or loads their cached weights) and writes the bundles into `bundleDir`.
 */
export async function ensureBundles(
  bundleDir: string,
  networks: readonly string[],
  benchMain: string,
  log: (line: string) => void,
): Promise<void> {
  const missing = networks.filter((n) => !existsSync(join(bundleDir, n, 'manifest.json')));
  if (missing.length === 0) return;
  if (!existsSync(benchMain)) {
    throw new Error(`bundles ${missing.join(', ')} are missing from ${bundleDir} and ${benchMain} is not built: run \`pnpm bench\` first`);
  }
  log(`bundles missing (${missing.join(', ')}): running apps/bench once to train and export them (a few minutes)`);
  const out = await mkdtemp(join(tmpdir(), 'offramp-serve-bench-'));
  try {
    const args = [benchMain, '--cache-dir', dirname(bundleDir), '--out-dir', out, '--no-readme', '--no-progress'];
    args.push('--batch-sizes', '1', '--repetitions', '1', '--test', '50');
    const code = await new Promise<number | null>((resolve) => {
      spawn(process.execPath, args, { stdio: 'inherit' }).once('exit', resolve);
    });
    if (code !== 0) throw new Error(`apps/bench exited with code ${code}`);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}
