import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { BrowserMissingError } from '../errors.js';

/** Debian's chromium, or the browser CHROMIUM_PATH names. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches headless Chromium with playwright-core; fails with how to install it when it is missing. */
export async function launchChromium(): Promise<Browser> {
  const path = chromiumPath();
  if (!existsSync(path)) {
    throw new BrowserMissingError(
      { field: 'CHROMIUM_PATH', expected: `a Chromium executable at ${path}`, received: 'no such file' },
      "install Debian's chromium with `sudo apt-get install -y chromium`, or set CHROMIUM_PATH to a Chromium binary",
    );
  }
  return chromium.launch({ executablePath: path, args: ARGS });
}
