// The workspace's publishable packages, packed as `pnpm pack` packs them, and a fresh npm project that
// installs the tarballs the way a user installs from the registry.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { delimiter, join, resolve, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface PackageManifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  keywords?: string[];
  homepage?: string;
  repository?: { type?: string; url?: string; directory?: string } | string;
  bugs?: { url?: string } | string;
  files?: string[];
  exports?: Record<string, unknown>;
  bin?: Record<string, string> | string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

export interface WorkspacePackage {
  /** Folder relative to the repository root, e.g. `packages/core`. */
  readonly dir: string;
  readonly manifest: PackageManifest;
}

/** Every package of `packages/*` and `apps/*` that is not private: what `changeset publish` would publish. */
export function publishablePackages(root: string): WorkspacePackage[] {
  const found: WorkspacePackage[] = [];
  for (const parent of ['packages', 'apps']) {
    const base = join(root, parent);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base).sort()) {
      const file = join(base, name, 'package.json');
      if (!existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as PackageManifest;
      if (!manifest.private) found.push({ dir: `${parent}/${name}`, manifest });
    }
  }
  return found;
}

export interface RunResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  readonly timedOut: boolean;
}

/**
 * The environment of a user's shell: none of the variables pnpm, npm, turbo or vitest set for the test run.
 * NODE_PATH above all: pnpm points it at the workspace's store, where `require.resolve` would find packages the
 * project never installed; and no `node_modules/.bin` folder of the workspace (under `root`) on PATH.
 */
export function userEnvironment(root: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|PNPM_|VITEST|TURBO_|NODE_PATH$|NODE_OPTIONS$|NODE_ENV$|INIT_CWD$)/i.test(key)) continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => !(resolve(dir).startsWith(resolve(root) + sep) && dir.includes('node_modules')))
    .join(delimiter);
  return { ...env, ...extra };
}

/** Runs a command to its end (or its timeout), keeping its output. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<RunResult> {
  const started = performance.now();
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    let timedOut = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      fail(error);
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      done({
        status,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ms: performance.now() - started,
        timedOut,
      });
    });
  });
}

/** Throws with the command's output unless it exited with 0. */
export async function runChecked(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} (in ${options.cwd}) ${result.timedOut ? 'timed out' : `exited with ${result.status ?? result.signal}`}\n` +
        `${result.stdout}\n${result.stderr}`,
    );
  }
  return result;
}

export interface PackedPackage extends WorkspacePackage {
  /** Absolute path of the .tgz. */
  readonly tarball: string;
  /** Size of the .tgz in bytes. */
  readonly packedBytes: number;
  /** Sum of the sizes of the files inside. */
  readonly unpackedBytes: number;
  /** Paths inside the tarball without the leading `package/`, with their sizes. */
  readonly files: ReadonlyMap<string, number>;
  /** The package.json inside the tarball (workspace ranges rewritten by pnpm). */
  readonly packedManifest: PackageManifest;
  /** The LICENSE inside the tarball, or null. */
  readonly license: string | null;
}

/**
 * `pnpm pack` of one package into `destination` (with the test run's own environment: the pnpm that runs the
 * tests packs), then reads back what the tarball holds.
 */
export async function packPackage(root: string, pkg: WorkspacePackage, destination: string): Promise<PackedPackage> {
  const result = await runChecked('pnpm', ['pack', '--pack-destination', destination], {
    cwd: join(root, pkg.dir),
    timeoutMs: 120_000,
  });
  const expected = `${pkg.manifest.name.replace(/^@/, '').replace('/', '-')}-${pkg.manifest.version}.tgz`;
  const tarball = resolve(destination, expected);
  if (!existsSync(tarball)) throw new Error(`pnpm pack in ${pkg.dir} did not write ${tarball}:\n${result.stdout}`);
  const bytes = readFileSync(tarball);
  const entries = readTar(gunzipSync(bytes));
  const files = new Map<string, number>();
  let unpackedBytes = 0;
  for (const entry of entries) {
    files.set(entry.path.replace(/^package\//, ''), entry.data.length);
    unpackedBytes += entry.data.length;
  }
  const text = (path: string) => {
    const entry = entries.find((e) => e.path === `package/${path}`);
    return entry ? entry.data.toString('utf8') : null;
  };
  const manifestText = text('package.json');
  if (manifestText === null) throw new Error(`${tarball} holds no package.json`);
  return {
    ...pkg,
    tarball,
    packedBytes: bytes.length,
    unpackedBytes,
    files,
    packedManifest: JSON.parse(manifestText) as PackageManifest,
    license: text('LICENSE'),
  };
}

interface TarEntry {
  readonly path: string;
  readonly data: Buffer;
}

/** The regular files of an uncompressed (ustar) tar archive. */
export function readTar(archive: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  const field = (block: Buffer, start: number, length: number) =>
    block.subarray(start, start + length).toString('utf8').replace(/\0.*$/s, '');
  let offset = 0;
  while (offset + 512 <= archive.length) {
    const header = archive.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const name = field(header, 0, 100);
    const prefix = field(header, 345, 155);
    const size = Number.parseInt(field(header, 124, 12).trim() || '0', 8);
    const type = field(header, 156, 1);
    const data = archive.subarray(offset + 512, offset + 512 + size);
    if (type === '0' || type === '') entries.push({ path: prefix ? `${prefix}/${name}` : name, data });
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return entries;
}

/** Writes the package.json of an empty ESM project, as `npm init` and `"type": "module"` would. */
export async function writeEmptyProject(dir: string): Promise<void> {
  await writeFile(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'readme-examples', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`,
  );
}
