#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { runCli } from '@offramp/app-kit';
import { loadTestCommands } from './load-test/load-test-cli.js';
import { serveCommand } from './serve-cli.js';

await runCli({
  moduleUrl: import.meta.url,
  name: 'serve',
  description: 'An early-exit inference server (exit-aware batching, online threshold adaptation) and its load test.',
  commands: [serveCommand, ...loadTestCommands(fileURLToPath(import.meta.url))],
});
