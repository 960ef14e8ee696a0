/** Longest description of a received value in an error message. */
const MAX_CHARS = 80;

type Step = { readonly text: string } | { readonly value: unknown };

/**
 * JSON text of `value` cut to `max` characters, built without recursion: a value nested thousands deep (or a
 * cycle) gives a short prefix and `...` instead of a stack overflow. Non-JSON leaves (undefined, functions,
 * symbols, bigints) are written as JSON.stringify would write them in an array (`null`), NaN as `NaN`.
 */
export function boundedJson(value: unknown, max = MAX_CHARS): string {
  let out = '';
  const todo: Step[] = [{ value }];
  while (todo.length > 0 && out.length <= max) {
    const step = todo.pop()!;
    if ('text' in step) {
      out += step.text;
      continue;
    }
    const v = step.value;
    if (typeof v === 'number') out += Number.isNaN(v) ? 'NaN' : Number.isFinite(v) ? String(v) : v > 0 ? 'Infinity' : '-Infinity';
    else if (typeof v === 'string' || typeof v === 'boolean') out += JSON.stringify(v);
    else if (v === null || typeof v !== 'object') out += 'null';
    else if (Array.isArray(v)) {
      // Each item takes at least one character: no more than `max` of them can show.
      const parts: Step[] = [{ text: '[' }];
      v.slice(0, max).forEach((item, i) => {
        if (i > 0) parts.push({ text: ',' });
        parts.push({ value: item });
      });
      parts.push({ text: v.length > max ? ',...]' : ']' });
      for (let i = parts.length - 1; i >= 0; i--) todo.push(parts[i]!);
    } else {
      const parts: Step[] = [{ text: '{' }];
      let i = 0;
      for (const key in v) {
        if (!Object.hasOwn(v, key)) continue;
        if (i === max) break;
        parts.push({ text: `${i > 0 ? ',' : ''}${JSON.stringify(key)}:` }, { value: (v as Record<string, unknown>)[key] });
        i++;
      }
      parts.push({ text: '}' });
      for (let i = parts.length - 1; i >= 0; i--) todo.push(parts[i]!);
    }
  }
  return out.length > max ? `${out.slice(0, max - 3)}...` : out;
}
