// The playground's end-to-end test drives Debian's Chromium through playwright-core.
// On a fresh Debian machine it is not there yet: install it with apt (as root, or through sudo).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function ensureChromium() {
  if (existsSync(chromiumPath)) return true;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const prefix = root ? [] : ['sudo', '-n'];
  const run = (args) => {
    const [cmd, ...rest] = [...prefix, ...args];
    return spawnSync(cmd, rest, {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    }).status === 0;
  };
  console.log(`${chromiumPath} is missing: installing Debian's chromium with apt-get`);
  const ok = run(['apt-get', 'update', '-qq']) && run(['apt-get', 'install', '-y', '-qq', 'chromium']);
  if (!ok || !existsSync(chromiumPath)) {
    console.log(`could not install chromium (run: apt-get install -y chromium); the browser test will fail`);
    return false;
  }
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) ensureChromium();
