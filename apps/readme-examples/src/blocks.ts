// README blocks as files of the npm project, and the type checker's answers mapped back to README lines.
import type { CodeBlock } from './markdown.js';

/** `packages/core/README.md` -> `packages-core`, `README.md` -> `root`. */
export function readmeSlug(file: string): string {
  const folder = file.replace(/(^|\/)README\.md$/, '');
  return folder === '' ? 'root' : folder.replaceAll('/', '-');
}

/** Where a block goes inside the project: `blocks/<readme>-L<line>/example.ts` (or `.mjs`). */
export function blockPath(block: CodeBlock): string {
  return `blocks/${readmeSlug(block.file)}-L${block.line}/example.${block.kind === 'ts' ? 'ts' : 'mjs'}`;
}

/** How a block is named in test names and failure messages. */
export function blockName(block: CodeBlock): string {
  return `${block.file}:${block.line} (\`\`\`${block.lang})`;
}

/** The tsconfig of a user's TypeScript project on Node: ESM through NodeNext, strict. */
export const USER_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
    // Every block is a module of its own, also one without imports.
    moduleDetection: 'force',
  },
  include: ['blocks/**/*.ts'],
};

export interface Diagnostic {
  /** The file as tsc names it, relative to the project. */
  readonly file: string;
  /** 1-based line and column in that file. */
  readonly line: number;
  readonly column: number;
  /** `error TS2345: ...` with any continuation lines. */
  readonly message: string;
}

/** Parses `tsc --pretty false` output: `file(line,col): error TSxxxx: message` plus indented continuations. */
export function parseDiagnostics(output: string): { located: Diagnostic[]; other: string[] } {
  const located: Diagnostic[] = [];
  const other: string[] = [];
  let last: { file: string; line: number; column: number; message: string[] } | null = null;
  const flush = () => {
    if (last) located.push({ file: last.file, line: last.line, column: last.column, message: last.message.join('\n') });
    last = null;
  };
  for (const line of output.split('\n')) {
    const match = /^(.+?)\((\d+),(\d+)\): (error|warning) (.*)$/.exec(line);
    if (match) {
      flush();
      last = { file: match[1]!, line: Number(match[2]), column: Number(match[3]), message: [`${match[4]} ${match[5]}`] };
    } else if (last && /^\s/.test(line) && line.trim() !== '') {
      last.message.push(line.trim());
    } else if (line.trim() !== '') {
      flush();
      other.push(line);
    }
  }
  flush();
  return { located, other };
}

/** A diagnostic in a block's file, as `README.md:<line>:<col>: error TS...`. */
export function describeDiagnostic(block: CodeBlock, diagnostic: Diagnostic): string {
  return `${block.file}:${block.line + diagnostic.line}:${diagnostic.column}: ${diagnostic.message}`;
}

/** The last `lines` lines of a text, with a note of how many were left out. */
export function tail(text: string, lines = 60): string {
  const all = text.trimEnd().split('\n');
  if (all.length <= lines) return all.join('\n');
  return [`... (${all.length - lines} earlier lines left out)`, ...all.slice(-lines)].join('\n');
}
