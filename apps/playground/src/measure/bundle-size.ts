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
  /** Every JavaScript file. */
  readonly js: SizeEntry;
  /** Of those, the ones index.html does not load: chunks fetched on first use (the compiled path). */
  readonly lazyJs: SizeEntry;
  readonly css: SizeEntry;
  readonly wasm: SizeEntry;
  /** The network, trace and sample digits under model/. */
  readonly model: SizeEntry;
  /** JS + CSS + wasm: the code a first visit downloads. */
  readonly code: SizeEntry;
}

/** Strings whose presence in the page's JS means tfjs (or the ONNX exporter, which needs it) leaked into the bundle. */
export const FORBIDDEN_IN_BUNDLE = ['@tensorflow/tfjs', 'tfjs-core'] as const;

/**
 * Strings that must not be in the JavaScript loaded with the page: onnx-proto's protobuf code
 * belongs to the compiled path's chunk, fetched the first time the compiled graph is chosen.
 */
export const FORBIDDEN_AT_LOAD = ['ModelProto'] as const;

/** The JavaScript files index.html loads (module scripts and preloads), relative to the site. */
export function scriptsLoadedWithPage(indexHtml: string): Set<string> {
  const found = [...indexHtml.matchAll(/<(?:script|link)\b[^>]*?(?:src|href)="(?:\.\/)?([^"]+\.m?js)"/g)].map((m) => m[1]!);
  return new Set(found);
}

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
 * JavaScript holds tfjs or the ONNX exporter, or when JavaScript index.html loads holds protobuf.
 */
export async function measureBundle(siteDir: string): Promise<BundleSizes> {
  const groups: Record<'js' | 'lazyJs' | 'css' | 'wasm' | 'model', SizeEntry> = { js: EMPTY, lazyJs: EMPTY, css: EMPTY, wasm: EMPTY, model: EMPTY };
  const files = await listFiles(siteDir);
  const index = files.find((f) => relative(siteDir, f) === 'index.html');
  const atLoad = index ? scriptsLoadedWithPage(await readFile(index, 'utf8')) : new Set<string>();
  for (const file of files) {
    const path = relative(siteDir, file);
    const bytes = await readFile(file);
    const kind = path.startsWith('model') ? 'model' : ({ '.js': 'js', '.mjs': 'js', '.css': 'css', '.wasm': 'wasm' } as const)[extname(file)];
    if (!kind) continue;
    if (kind === 'js') {
      const text = bytes.toString('utf8');
      const found = FORBIDDEN_IN_BUNDLE.find((s) => text.includes(s));
      if (found) throw new ArgumentError({ field: path, expected: 'a bundle without tfjs or the ONNX exporter', received: `a file containing ${JSON.stringify(found)}` });
      const early = atLoad.has(path) ? FORBIDDEN_AT_LOAD.find((s) => text.includes(s)) : undefined;
      if (early) {
        throw new ArgumentError({
          field: path,
          expected: 'JavaScript loaded with the page without protobuf (the compiled path loads it on first use)',
          received: `a file containing ${JSON.stringify(early)}`,
        });
      }
    }
    const size = { files: 1, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
    groups[kind] = add(groups[kind], size);
    if (kind === 'js' && !atLoad.has(path)) groups.lazyJs = add(groups.lazyJs, size);
  }
  return { ...groups, code: add(add(groups.js, groups.css), groups.wasm) };
}
