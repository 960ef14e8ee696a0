import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ArgumentError } from '@offramp/core';

/** Bytes of a group of files, as stored and gzip-compressed (level 9, as a server would send them). */
export interface SizeEntry {
  readonly files: number;
  readonly raw: number;
  readonly gzip: number;
}

export interface BundleSizes {
  readonly js: SizeEntry;
  readonly css: SizeEntry;
  readonly wasm: SizeEntry;
  /** The network, trace and sample digits under model/. */
  readonly model: SizeEntry;
  /** JS + CSS + wasm: the code a first visit downloads. */
  readonly code: SizeEntry;
}

/** Strings whose presence in the page's JS means tfjs (or the ONNX exporter) leaked into the bundle. */
export const FORBIDDEN_IN_BUNDLE = ['@tensorflow/tfjs', 'tfjs-core', 'ModelProto'] as const;

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : Promise.resolve([join(dir, e.name)]))),
  );
  return nested.flat();
}

function add(a: SizeEntry, b: SizeEntry): SizeEntry {
  return { files: a.files + b.files, raw: a.raw + b.raw, gzip: a.gzip + b.gzip };
}

const EMPTY: SizeEntry = { files: 0, raw: 0, gzip: 0 };

/**
 * Sizes of a built page directory by kind; fails with an ArgumentError naming the file when its
 * JavaScript holds tfjs or the ONNX exporter.
 */
export async function measureBundle(siteDir: string): Promise<BundleSizes> {
  const groups: Record<'js' | 'css' | 'wasm' | 'model', SizeEntry> = { js: EMPTY, css: EMPTY, wasm: EMPTY, model: EMPTY };
  for (const file of await listFiles(siteDir)) {
    const path = relative(siteDir, file);
    const bytes = await readFile(file);
    const kind = path.startsWith('model') ? 'model' : ({ '.js': 'js', '.mjs': 'js', '.css': 'css', '.wasm': 'wasm' } as const)[extname(file)];
    if (!kind) continue;
    if (kind === 'js') {
      const text = bytes.toString('utf8');
      const found = FORBIDDEN_IN_BUNDLE.find((s) => text.includes(s));
      if (found) throw new ArgumentError({ field: path, expected: 'a bundle without tfjs or the ONNX exporter', received: `a file containing ${JSON.stringify(found)}` });
    }
    groups[kind] = add(groups[kind], { files: 1, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
  }
  return { ...groups, code: add(add(groups.js, groups.css), groups.wasm) };
}
