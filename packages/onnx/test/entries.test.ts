import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { maxProbGate } from '@offramp/gates';
import { describe, expect, it } from 'vitest';
import * as browser from '../src/browser.js';
import * as compile from '../src/compile-entry.js';
import { loadWebRuntime } from '../src/index.js';
import { tinyMlp } from './compile-nets.js';
import { uniform } from './helpers.js';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

/** The packages a module reaches through its value imports and re-exports (type-only ones skipped), transitively. */
function packagesReached(entry: string): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    const statements = source.match(/^(?:import|export)\s[^;]*?\sfrom\s+'[^']+'|^import\s+'[^']+'|import\('[^']+'\)/gm) ?? [];
    for (const statement of statements) {
      if (/^(?:import|export)\s+type\s/.test(statement)) continue;
      const specifier = /'([^']+)'/.exec(statement)![1]!;
      if (specifier.startsWith('.')) visit(join(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else packages.add(specifier);
    }
  };
  visit(join(SRC, entry));
  return packages;
}

describe('the browser and compile entries', () => {
  it('reach no runtime loader, tfjs or Node module: only core and, for compiled models, onnx-proto', () => {
    expect([...packagesReached('browser.ts')].sort()).toEqual(['@offramp/core', 'onnx-proto']);
    expect([...packagesReached('compile-entry.ts')].sort()).toEqual(['@offramp/core', 'onnx-proto']);
  });

  it('compile a bundle and run it through the browser entry in onnxruntime-web', async () => {
    const net = tinyMlp(3);
    const gate = maxProbGate.create({}, { exits: 3, classes: net.classes });
    const model = compile.compileEarlyExit(net.bundle, { gate, thresholds: [0.6, 0.6] });
    const runner = await browser.CompiledEarlyExit.create(await loadWebRuntime(), model.model);
    try {
      const result = await runner.run(uniform(5 * 6, 9), 5);
      expect(result.exit).toHaveLength(5);
      expect(browser.readCompiledModel(model.model).thresholds).toEqual(Float64Array.from([0.6, 0.6]));
      expect(compile.CompiledEarlyExit).toBe(browser.CompiledEarlyExit);
    } finally {
      await runner.release();
    }
  });
});
