import { defineConfig } from 'vitest/config';

// onnxruntime sessions and small training runs take seconds on a busy 2-core machine.
export default defineConfig({ test: { testTimeout: 60_000, hookTimeout: 180_000 } });
