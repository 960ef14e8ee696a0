import { ArgumentError, type ErrorDetails } from './errors.js';

/** Limits of a JSON reader: text longer or nested deeper is refused before it is parsed. */
export interface JsonTextLimits {
  /** Most characters read; default 64 Mi. */
  readonly maxChars?: number;
  /** Most nesting of objects and arrays; default 64. */
  readonly maxDepth?: number;
}

export interface JsonTextOptions extends JsonTextLimits {
  /** What the text is, named in errors (e.g. the file path, or `manifest.json`). */
  readonly source: string;
  /** The error to throw; default ArgumentError. */
  readonly error?: (details: ErrorDetails) => Error;
}

interface Frame {
  readonly object: boolean;
  readonly keys: Set<string>;
  /** In an object: the next string is a key. */
  expectKey: boolean;
  /** The key of the current member, or the index of the current item. */
  at: string | number;
}

const DEFAULT_MAX_CHARS = 64 * 1024 * 1024;
const DEFAULT_MAX_DEPTH = 64;

function pathOf(stack: readonly Frame[]): string {
  return stack.map((f) => (typeof f.at === 'number' ? `[${f.at}]` : `.${f.at}`)).join('');
}

/** Index just past the string that opens at `start` (a `"`), or -1 when it never closes. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92) i++; // backslash: skip the escaped character
    else if (c === 34) return i + 1;
  }
  return -1;
}

/**
 * Parses JSON text as a reader of untrusted files should: text over `maxChars` and nesting over `maxDepth` are
 * refused before parsing, and so is an object that names a key twice (JSON.parse would keep the last one
 * silently). One pass without recursion, so no input can overflow the stack; errors name the source and the
 * path inside it.
 */
export function parseJsonText(text: string, options: JsonTextOptions): unknown {
  const { source, maxChars = DEFAULT_MAX_CHARS, maxDepth = DEFAULT_MAX_DEPTH } = options;
  const fail = (path: string, expected: string, received: string): never => {
    const field = path === '' ? source : `${source}: ${path.replace(/^\./, '')}`;
    throw (options.error ?? ((d) => new ArgumentError(d)))({ field, expected, received });
  };
  if (text.length > maxChars) fail('', `at most ${maxChars} characters of JSON`, `${text.length} characters`);
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === '"') {
      const end = stringEnd(text, i);
      if (end < 0) break; // unterminated: JSON.parse reports it
      if (top?.object && top.expectKey) {
        let key: string;
        try {
          key = JSON.parse(text.slice(i, end)) as string;
        } catch {
          break;
        }
        if (top.keys.has(key)) fail(`${pathOf(stack.slice(0, -1))}.${key}`, 'each key once per object', `${JSON.stringify(key)} twice`);
        top.keys.add(key);
        top.at = key;
        top.expectKey = false;
      }
      i = end - 1;
    } else if (c === '{' || c === '[') {
      if (stack.length >= maxDepth) fail(pathOf(stack), `at most ${maxDepth} levels of nesting`, 'deeper nesting');
      stack.push({ object: c === '{', keys: new Set(), expectKey: c === '{', at: c === '{' ? '' : 0 });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',' && top) {
      if (top.object) top.expectKey = true;
      else top.at = (top.at as number) + 1;
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    return fail('', 'valid JSON', error instanceof Error ? error.message : String(error));
  }
}
