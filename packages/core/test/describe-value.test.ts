import { describe, expect, it } from 'vitest';
import { boundedJson } from '../src/describe-value.js';
import { ConfigError, describeValue, parsePolicySpec } from '../src/index.js';

const nestedObject = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
};
const nestedArray = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
};

describe('values described in error messages', () => {
  it('writes small values as JSON.stringify does', () => {
    for (const v of [{ a: [1, 'x', true, null], b: { c: -2.5 } }, [], {}, 'text', false, [[1], [2, [3]]]]) {
      expect(boundedJson(v)).toBe(JSON.stringify(v));
    }
    expect(boundedJson([Number.NaN, undefined, Number.POSITIVE_INFINITY])).toBe('[NaN,null,Infinity]');
    expect(describeValue(undefined)).toBe('undefined');
  });
  it('cuts long values to 80 characters', () => {
    const text = boundedJson(Array.from({ length: 100 }, (_, i) => i));
    expect(text).toHaveLength(80);
    expect(text).toBe(`${JSON.stringify(Array.from({ length: 100 }, (_, i) => i)).slice(0, 77)}...`);
  });
  it('describes values nested 100,000 deep, and cycles, without recursion', () => {
    expect(boundedJson(nestedObject(100_000))).toBe(`${'{"a":'.repeat(16)}{"...`.slice(0, 77) + '...');
    expect(boundedJson(nestedArray(100_000))).toBe(`${'['.repeat(77)}...`);
    const cycle: Record<string, unknown> = { x: 1 };
    cycle.self = cycle;
    expect(boundedJson(cycle)).toMatch(/^\{"x":1,"self":\{"x":1,"self":.*\.\.\.$/);
  });
  it('gives a typed error, not a stack overflow, for a policy nested 5,000 deep', () => {
    expect(() => parsePolicySpec({ gate: 'max-prob', thresholds: nestedArray(5000) })).toThrow(ConfigError);
    expect(() => parsePolicySpec(nestedObject(5000))).toThrow(ConfigError);
  });
});

describe('large values', () => {
  it('reads only the first items of a huge array or object', () => {
    expect(boundedJson(new Array(5_000_000).fill(7))).toBe(`[${'7,'.repeat(38)}...`);
    const wide = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]));
    expect(boundedJson(wide)).toMatch(/^\{"k0":0,"k1":1,.*\.\.\.$/);
  });
});
