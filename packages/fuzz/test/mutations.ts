import fc from 'fast-check';

/** JSON text nested `depth` deep in arrays or objects. */
export const deepJson = (depth: number, object: boolean): string =>
  object ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}1${']'.repeat(depth)}`;

/** A key misspelt by one edit: a character dropped, doubled or changed. */
export const misspelt = (key: string, at: number, kind: number): string => {
  const i = at % key.length;
  if (kind % 3 === 0) return key.slice(0, i) + key.slice(i + 1) || `${key}x`;
  if (kind % 3 === 1) return key.slice(0, i) + key[i] + key.slice(i);
  return `${key.slice(0, i)}${key[i] === 'z' ? 'y' : 'z'}${key.slice(i + 1)}`;
};

/** Every path to a value inside `value` (keys and indices), the root included. */
export function pathsOf(value: unknown): (string | number)[][] {
  const out: (string | number)[][] = [];
  const todo: { v: unknown; path: (string | number)[] }[] = [{ v: value, path: [] }];
  while (todo.length > 0) {
    const { v, path } = todo.pop()!;
    out.push(path);
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        todo.push({ v: item, path: [...path, i] });
      });
    }
    else if (v !== null && typeof v === 'object') for (const [k, item] of Object.entries(v)) todo.push({ v: item, path: [...path, k] });
  }
  return out;
}

function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  let v = value;
  for (const key of path) v = (v as Record<string | number, unknown>)[key];
  return v;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A copy of `value` with the value at `path` replaced (`replace`), removed (`undefined`), or its key renamed. */
export function edit(value: unknown, path: readonly (string | number)[], change: { replace?: unknown; rename?: string; remove?: boolean }): unknown {
  const copy = structuredClone(value) as Json;
  if (path.length === 0) return change.remove ? undefined : change.replace;
  let parent = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (change.rename !== undefined && !Array.isArray(parent)) {
    const item = parent[last];
    delete parent[last];
    parent[change.rename] = item;
  } else if (change.remove) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else parent[last] = change.replace;
  return copy;
}

/** Text-level damage: cut at `at`, a character inserted at `at`, or a key of the text written twice. */
export function damageText(text: string, at: number, kind: number, char: string): string {
  const i = at % (text.length + 1);
  if (kind % 3 === 0) return text.slice(0, i);
  if (kind % 3 === 1) return text.slice(0, i) + char + text.slice(i);
  const key = /"([A-Za-z]+)":/g;
  const matches = [...text.matchAll(key)];
  const m = matches[at % Math.max(1, matches.length)];
  if (!m || m.index === undefined) return text;
  return `${text.slice(0, m.index)}${m[0]}0,${text.slice(m.index)}`;
}

/**
 * Mutations of a valid JSON document, as an attacker or a clumsy user would write them: any JSON in its place,
 * a value replaced by any JSON, a key removed, misspelt or added, the text cut or damaged, a key written twice,
 * nesting thousands deep.
 */
export function jsonMutations(valid: unknown): fc.Arbitrary<string> {
  const paths = pathsOf(valid);
  const keyed = paths.filter((p) => typeof p[p.length - 1] === 'string');
  const pick = fc.nat({ max: paths.length - 1 }).map((i) => paths[i]!);
  const pickKeyed = fc.nat({ max: keyed.length - 1 }).map((i) => keyed[i]!);
  const objects = paths.filter((p) => {
    const v = valueAt(valid, p);
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  });
  const pickObject = fc.nat({ max: objects.length - 1 }).map((i) => objects[i]!);
  const text = JSON.stringify(valid);
  return fc.oneof(
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.tuple(pick, fc.jsonValue()).map(([path, v]) => JSON.stringify(edit(valid, path, { replace: v }))),
    pick.map((path) => JSON.stringify(edit(valid, path, { remove: true })) ?? ''),
    fc.tuple(pickKeyed, fc.nat(), fc.nat()).map(([path, at, kind]) =>
      JSON.stringify(edit(valid, path, { rename: misspelt(String(path[path.length - 1]), at, kind) })),
    ),
    fc.tuple(pickObject, fc.string({ minLength: 1, maxLength: 12 }), fc.jsonValue()).map(([path, key, v]) =>
      JSON.stringify(edit(valid, [...path, key], { replace: v })),
    ),
    fc.tuple(fc.nat(), fc.nat(), fc.string({ minLength: 1, maxLength: 1 })).map(([at, kind, c]) => damageText(text, at, kind, c)),
    fc.tuple(fc.integer({ min: 1, max: 20000 }), fc.boolean()).map(([depth, object]) => deepJson(depth, object)),
  );
}
