// Every package as an npm user gets it: each publishable package is packed with `pnpm pack`, the tarballs
// are installed together into an empty project with npm (with the peers the READMEs' install lines name),
// and every TypeScript and JavaScript block of every package README and of the root README is type-checked
// (TypeScript, --strict, NodeNext) and run (tsx for TypeScript, node for JavaScript) inside that project.
// Nothing is reused from an earlier run: packing, installing and checking start from an empty folder.
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  blockName,
  blockPath,
  type Diagnostic,
  describeDiagnostic,
  parseDiagnostics,
  readmeSlug,
  tail,
  USER_TSCONFIG,
} from '../src/blocks.js';
import {
  type CodeBlock,
  extractBlocks,
  importedSpecifiers,
  installCommands,
  packageOfSpec,
  packageOfSpecifier,
} from '../src/markdown.js';
import {
  type PackedPackage,
  packPackage,
  publishablePackages,
  run,
  runChecked,
  userEnvironment,
  writeEmptyProject,
} from '../src/project.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const repository = 'https://github.com/offramp-dev/offramp';
const packages = publishablePackages(root);
const readmes = ['README.md', ...packages.map((pkg) => `${pkg.dir}/README.md`)];
const blocks = new Map(readmes.map((file) => [file, extractBlocks(readFileSync(join(root, file), 'utf8'), file)]));
const allBlocks = [...blocks.values()].flat();
const runnable = allBlocks.filter((block) => (block.kind === 'ts' || block.kind === 'js') && block.fragment === null);
const fragments = allBlocks.filter((block) => (block.kind === 'ts' || block.kind === 'js') && block.fragment !== null);
/** Blocks marked `<!-- fragment: reason -->` are the exception; past this many, make examples whole instead. */
const MAX_FRAGMENTS = 6;
/** Types for `node:` imports in TypeScript blocks, as every TypeScript project on Node has them. */
const TYPES_NODE = '@types/node@^20';
const EXAMPLE_TIMEOUT_MS = 300_000;

const fromRoot = createRequire(join(root, 'package.json'));
const tscBin = fromRoot.resolve('typescript/bin/tsc');
const tsxBin = join(dirname(fromRoot.resolve('tsx/package.json')), 'dist/cli.mjs');
const environment = userEnvironment(root, { ONNXRUNTIME_NODE_INSTALL: 'skip' });

let work = '';
let project = '';
let packed: PackedPackage[] = [];
/** tsc's diagnostics per block file, and those outside the blocks. */
let diagnostics = new Map<string, Diagnostic[]>();
let otherDiagnostics: string[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'offramp-readme-examples-'));
  const tarballs = join(work, 'tarballs');
  project = join(work, 'project');
  await mkdir(tarballs);
  await mkdir(project);

  packed = [];
  for (const pkg of packages) packed.push(await packPackage(root, pkg, tarballs));
  console.log(
    ['| package | .tgz bytes | unpacked bytes |', '|---|---|---|', ...packed.map((p) => `| ${p.manifest.name} | ${p.packedBytes} | ${p.unpackedBytes} |`)].join('\n'),
  );

  // One npm install of every tarball together (so npm finds @offramp/* in them, not in the registry) and
  // of every other package the install lines name.
  const tarballOf = new Map(packed.map((pkg) => [pkg.manifest.name, pkg.tarball]));
  const specs = new Set<string>();
  for (const command of installCommands(allBlocks)) {
    for (const spec of command.specs) if (!tarballOf.has(packageOfSpec(spec))) specs.add(spec);
  }
  await writeEmptyProject(project);
  await runChecked(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballOf.values(), ...specs, TYPES_NODE],
    { cwd: project, env: environment, timeoutMs: 600_000 },
  );

  for (const block of runnable) {
    const file = join(project, blockPath(block));
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `${block.code}\n`);
  }
  await writeFile(join(project, 'tsconfig.json'), `${JSON.stringify(USER_TSCONFIG, null, 2)}\n`);
  const checked = await run(process.execPath, [tscBin, '-p', 'tsconfig.json', '--pretty', 'false'], {
    cwd: project,
    env: environment,
    timeoutMs: 300_000,
  });
  const parsed = parseDiagnostics(`${checked.stdout}\n${checked.stderr}`);
  diagnostics = new Map();
  for (const diagnostic of parsed.located) {
    const list = diagnostics.get(diagnostic.file) ?? [];
    list.push(diagnostic);
    diagnostics.set(diagnostic.file, list);
  }
  otherDiagnostics = [
    ...parsed.other,
    ...parsed.located
      .filter((d) => !runnable.some((block) => blockPath(block) === d.file))
      .map((d) => `${d.file}(${d.line},${d.column}): ${d.message}`),
  ];
  if (checked.status !== 0 && parsed.located.length === 0) otherDiagnostics.push(`tsc exited with ${checked.status}`);
});

afterAll(async () => {
  if (work && !process.env.OFFRAMP_KEEP_README_PROJECT) await rm(work, { recursive: true, force: true });
});

describe('the tarballs', () => {
  it('hold the LICENSE, the README and the built code, and no source maps', () => {
    const license = readFileSync(join(root, 'LICENSE'), 'utf8');
    const problems: string[] = [];
    for (const pkg of packed) {
      if (pkg.license !== license) problems.push(`${pkg.dir}: LICENSE ${pkg.license === null ? 'missing' : 'differs from the root LICENSE'}`);
      if (!pkg.files.has('README.md')) problems.push(`${pkg.dir}: README.md missing`);
      if (![...pkg.files.keys()].some((file) => file.startsWith('dist/'))) problems.push(`${pkg.dir}: no dist/`);
      const maps = [...pkg.files.keys()].filter((file) => file.endsWith('.map'));
      if (maps.length > 0) problems.push(`${pkg.dir}: ships ${maps.length} source maps (${maps[0]}, ...)`);
    }
    expect(problems).toEqual([]);
  });

  it('name the repository, homepage, bug tracker, keywords and the MIT license', () => {
    const problems: string[] = [];
    for (const pkg of packed) {
      const m = pkg.packedManifest;
      const repo = typeof m.repository === 'object' ? m.repository : undefined;
      if (repo?.url !== `git+${repository}.git` || repo.directory !== pkg.dir || repo.type !== 'git') {
        problems.push(`${pkg.dir}: repository ${JSON.stringify(m.repository)}`);
      }
      if (m.homepage !== `${repository}/tree/main/${pkg.dir}#readme`) problems.push(`${pkg.dir}: homepage ${m.homepage}`);
      const bugs = typeof m.bugs === 'object' ? m.bugs.url : m.bugs;
      if (bugs !== `${repository}/issues`) problems.push(`${pkg.dir}: bugs ${JSON.stringify(m.bugs)}`);
      if (!m.keywords || m.keywords.length === 0) problems.push(`${pkg.dir}: no keywords`);
      if (m.license !== 'MIT') problems.push(`${pkg.dir}: license ${m.license}`);
    }
    expect(problems).toEqual([]);
  });

  it('are ESM only: every entry resolves types and code under the import condition alone', () => {
    const problems: string[] = [];
    for (const pkg of packed) {
      for (const [subpath, target] of Object.entries(pkg.packedManifest.exports ?? {})) {
        if (subpath === './package.json') continue;
        const conditions = typeof target === 'object' && target !== null ? Object.keys(target) : [];
        const entry = (target as { import?: unknown }).import;
        const inner = typeof entry === 'object' && entry !== null ? Object.keys(entry) : [];
        if (conditions.join() !== 'import' || inner.join() !== 'types,default') {
          problems.push(`${pkg.dir} exports["${subpath}"]: ${JSON.stringify(target)}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('hold no workspace: ranges (pnpm pack rewrote them for npm)', () => {
    const problems: string[] = [];
    for (const pkg of packed) {
      const m = pkg.packedManifest;
      for (const ranges of [m.dependencies, m.peerDependencies, m.optionalDependencies]) {
        for (const [name, range] of Object.entries(ranges ?? {})) {
          if (range.startsWith('workspace:')) problems.push(`${pkg.dir}: ${name}@${range}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('this test', () => {
  it('runs after the build of every publishable package (apps/readme-examples/turbo.json)', () => {
    const turbo = JSON.parse(readFileSync(join(root, 'apps/readme-examples/turbo.json'), 'utf8')) as {
      tasks: { test: { dependsOn: string[] } };
    };
    const missing = packages.map((pkg) => `${pkg.manifest.name}#build`).filter((task) => !turbo.tasks.test.dependsOn.includes(task));
    expect(missing).toEqual([]);
  });
});

describe('the READMEs', () => {
  it('each package README has an npm install line for its package', () => {
    const missing = packages
      .filter((pkg) => {
        const commands = installCommands(blocks.get(`${pkg.dir}/README.md`) ?? []);
        return !commands.some((command) => command.specs.some((spec) => packageOfSpec(spec) === pkg.manifest.name));
      })
      .map((pkg) => `${pkg.dir}/README.md: no \`npm install ${pkg.manifest.name} ...\` in a shell block`);
    expect(missing).toEqual([]);
  });

  it('each package README stands on its own on npm: ESM only stated, repository links, no workspace commands', () => {
    const problems: string[] = [];
    for (const pkg of packages) {
      const file = `${pkg.dir}/README.md`;
      const text = readFileSync(join(root, file), 'utf8');
      if (!text.replace(/\s+/g, ' ').includes('ESM only (no CommonJS `require`)')) problems.push(`${file}: does not say "ESM only (no CommonJS \`require\`)"`);
      text.split('\n').forEach((line, i) => {
        for (const match of line.matchAll(/\]\(([^)\s]+)\)/g)) {
          if (!/^(https?:|mailto:|#)/.test(match[1]!)) problems.push(`${file}:${i + 1}: a relative link (${match[1]}), not to ${repository}`);
        }
        if (/\bpnpm\b|\bturbo run\b/.test(line)) problems.push(`${file}:${i + 1}: a workspace command: ${line.trim()}`);
      });
    }
    expect(problems).toEqual([]);
  });

  it("every package an example imports is on its README's install line", () => {
    const problems: string[] = [];
    for (const [file, list] of blocks) {
      const installed = new Set(installCommands(list).flatMap((command) => command.specs.map(packageOfSpec)));
      for (const block of list) {
        if ((block.kind !== 'ts' && block.kind !== 'js') || block.fragment !== null) continue;
        for (const specifier of importedSpecifiers(block.code)) {
          const name = packageOfSpecifier(specifier);
          if (name !== null && !installed.has(name)) problems.push(`${file}:${block.line}: imports ${specifier}, not installed by the README`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it(`mark few blocks as fragments, each with its reason (at most ${MAX_FRAGMENTS})`, () => {
    for (const block of fragments) console.log(`fragment, not run: ${blockName(block)}: ${block.fragment}`);
    expect(fragments.length).toBeLessThanOrEqual(MAX_FRAGMENTS);
  });

  it('the installed type declarations and the project compile', () => {
    expect(otherDiagnostics, otherDiagnostics.join('\n')).toEqual([]);
  });
});

describe('README examples, installed from the tarballs', () => {
  it.each(runnable.map((block) => [blockName(block), block] as const))('%s', async (_name, block: CodeBlock) => {
    const file = blockPath(block);
    const found = diagnostics.get(file) ?? [];
    if (found.length > 0) {
      throw new Error(
        `${block.file}: the ${block.lang} block at line ${block.line} does not type-check (tsc --strict, NodeNext):\n` +
          found.map((d) => describeDiagnostic(block, d)).join('\n'),
      );
    }
    const path = join(project, file);
    const args = block.kind === 'ts' ? [tsxBin, path] : [path];
    // One working folder per README, shared by its blocks in README order: a later example may read the files
    // an earlier one wrote, as for a reader who works through the README in one folder.
    const cwd = join(work, 'run', readmeSlug(block.file));
    await mkdir(cwd, { recursive: true });
    const result = await run(process.execPath, args, {
      cwd,
      env: environment,
      timeoutMs: EXAMPLE_TIMEOUT_MS,
    });
    if (result.status !== 0) {
      const how = result.timedOut
        ? `did not finish within ${EXAMPLE_TIMEOUT_MS / 1000} s`
        : `exited with ${result.status ?? result.signal}`;
      throw new Error(
        `${block.file}: the ${block.lang} block at line ${block.line} ${how} (${block.kind === 'ts' ? 'tsx' : 'node'}, ${(result.ms / 1000).toFixed(1)} s;\n` +
          `line n of ${file} is line ${block.line} + n of the README)\n` +
          `--- stderr ---\n${tail(result.stderr)}\n--- stdout ---\n${tail(result.stdout, 20)}`,
      );
    }
  });
});

describe('CommonJS importers (the packages are ESM only)', () => {
  let cjs = '';
  beforeAll(async () => {
    cjs = join(project, 'commonjs-importer');
    await mkdir(cjs, { recursive: true });
    await writeFile(join(cjs, 'package.json'), `${JSON.stringify({ name: 'commonjs-importer', private: true })}\n`);
  });

  it.each(['NodeNext', 'Node16'])('a CommonJS TypeScript project (module %s) does not compile an import of any package', async (module) => {
    const entries = packed.map((pkg) => pkg.manifest.name);
    await writeFile(
      join(cjs, 'index.ts'),
      entries.map((name, i) => `import * as p${i} from '${name}';\nconsole.log(p${i});\n`).join(''),
    );
    const tsconfig = {
      compilerOptions: { module, moduleResolution: module, strict: true, noEmit: true, skipLibCheck: true, types: ['node'] },
      include: ['index.ts'],
    };
    await writeFile(join(cjs, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
    const result = await run(process.execPath, [tscBin, '-p', 'tsconfig.json', '--pretty', 'false'], {
      cwd: cjs,
      env: environment,
      timeoutMs: 120_000,
    });
    const output = `${result.stdout}${result.stderr}`;
    console.log(`a CommonJS importer (module ${module}), tsc says:\n${tail(output, 3)}`);
    expect(result.status).not.toBe(0);
    const refused = entries.filter((name) => output.includes(`Cannot find module '${name}' or its corresponding type declarations`));
    expect(refused).toEqual(entries);
  });

  it('require() of any package fails with ERR_PACKAGE_PATH_NOT_EXPORTED', async () => {
    const names = JSON.stringify(packed.map((pkg) => pkg.manifest.name));
    const script = `for (const name of ${names}) { try { require(name); console.log(name, 'loaded'); } catch (error) { console.log(name, error.code); } }`;
    const result = await run(process.execPath, ['-e', script], { cwd: cjs, env: environment, timeoutMs: 60_000 });
    expect(result.stdout.trim().split('\n')).toEqual(packed.map((pkg) => `${pkg.manifest.name} ERR_PACKAGE_PATH_NOT_EXPORTED`));
  });
});

describe('the offramp command', () => {
  it('runs from the installed tarball', async () => {
    const result = await run(join(project, 'node_modules/.bin/offramp'), ['--help'], {
      cwd: project,
      env: environment,
      timeoutMs: 120_000,
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('attach');
  });
});
