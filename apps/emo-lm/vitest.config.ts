import { defineConfig } from 'vitest/config';

// The tiny pipeline trains three language models; on a busy 2-core machine that takes tens of seconds.
export default defineConfig({ test: { testTimeout: 60_000, hookTimeout: 180_000 } });
