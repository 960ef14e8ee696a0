import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Libraries that must exist once in a user's project: tfjs registers its platform and kernels
 * globally (a second copy prints "Platform node has already been set" and registers every kernel
 * twice), and tensors or sessions of one copy are foreign to another. A publishable package that
 * uses one lists it as a peer dependency (and a dev dependency for the workspace), never as a
 * dependency, and every package asks for the same range.
 */
const SHARED = [
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-webgl',
  '@tensorflow/tfjs-node',
  'onnxruntime-common',
  'onnxruntime-node',
  'onnxruntime-web',
] as const;

interface Manifest {
  readonly name: string;
  readonly private?: boolean;
  readonly dependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}

const PACKAGES = join(import.meta.dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry) ? [path] : [];
  });
}

/** The shared libraries a package's sources import (statically or with `import()`). */
function importedShared(dir: string): Set<string> {
  const used = new Set<string>();
  for (const file of sourceFiles(join(dir, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
      const specifier = match[1]!;
      const name = SHARED.find((lib) => specifier === lib || specifier.startsWith(`${lib}/`));
      if (name) used.add(name);
    }
  }
  return used;
}

const publishable = readdirSync(PACKAGES)
  .map((dir) => join(PACKAGES, dir))
  .filter((dir) => statSync(join(dir, 'package.json'), { throwIfNoEntry: false })?.isFile())
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest }))
  .filter(({ manifest }) => manifest.private !== true);

describe('shared libraries are peers of every publishable package', () => {
  it('finds the publishable packages', () => {
    expect(publishable.map((p) => p.manifest.name)).toEqual(
      expect.arrayContaining(['@offramp/core', '@offramp/diffusion', '@offramp/cli', '@offramp/serve']),
    );
  });

  it.each(publishable.map((p) => [p.manifest.name, p] as const))('%s lists no shared library as a dependency', (_name, { manifest }) => {
    const dependencies = Object.keys(manifest.dependencies ?? {});
    expect(dependencies.filter((d) => (SHARED as readonly string[]).includes(d))).toEqual([]);
  });

  it.each(publishable.map((p) => [p.manifest.name, p] as const))(
    '%s declares each shared library it imports as a peer and a dev dependency',
    (_name, { dir, manifest }) => {
      for (const lib of importedShared(dir)) {
        expect({ lib, peer: manifest.peerDependencies?.[lib] }).toEqual({ lib, peer: expect.any(String) });
        expect({ lib, dev: manifest.devDependencies?.[lib] }).toEqual({ lib, dev: manifest.peerDependencies?.[lib] });
      }
    },
  );

  it('every package asks for the same range of each shared library', () => {
    const ranges = new Map<string, Set<string>>();
    for (const { manifest } of publishable) {
      for (const [lib, range] of Object.entries(manifest.peerDependencies ?? {})) {
        if (!(SHARED as readonly string[]).includes(lib)) continue;
        ranges.set(lib, (ranges.get(lib) ?? new Set()).add(range));
      }
    }
    expect(ranges.get('@tensorflow/tfjs')?.size).toBeGreaterThan(0);
    for (const [lib, set] of ranges) expect({ lib, ranges: [...set] }).toEqual({ lib, ranges: [[...set][0]] });
  });
});
