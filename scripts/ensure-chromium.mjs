// The playground's end-to-end test drives Debian's Chromium through playwright-core.
// On a fresh Debian machine it is not there yet: install it with apt (as root, or through sudo).
import { existsSync } from 'node:fs';
import { aptInstall } from './apt-install.mjs';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function ensureChromium() {
  if (existsSync(chromiumPath)) return true;
  console.log(`${chromiumPath} is missing: installing Debian's chromium with apt-get`);
  if (!aptInstall(['chromium']) || !existsSync(chromiumPath)) {
    console.log(`could not install chromium (run: apt-get install -y chromium); the browser test will fail`);
    return false;
  }
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) ensureChromium();
