import { describe, expect, it } from 'vitest';
import { ArgumentError, ConfigError, parseJsonText } from '../src/index.js';

const read = (text: string, limits = {}) => parseJsonText(text, { source: 'x.json', ...limits });

describe('parseJsonText', () => {
  it('parses what JSON.parse parses', () => {
    const text = '{"a":[1,{"b":"x\\\\\\"}"},[]],"c":{"d":null},"e":"{[,"}';
    expect(read(text)).toEqual(JSON.parse(text));
    expect(read('[1,2,3]')).toEqual([1, 2, 3]);
    expect(read('"s"')).toBe('s');
  });
  it('the same key in different objects is fine; twice in one object is an ArgumentError naming the path', () => {
    expect(read('{"a":{"k":1},"b":{"k":2}}')).toEqual({ a: { k: 1 }, b: { k: 2 } });
    expect(() => read('{"a":[{"k":1},{"k":2,"k":3}]}')).toThrow(ArgumentError);
    expect(() => read('{"a":[{"k":1},{"k":2,"k":3}]}')).toThrow(/^x\.json: a\[1\]\.k: expected each key once per object, received "k" twice/);
    // Keys are compared after unescaping.
    expect(() => read('{"k":1,"\\u006b":2}')).toThrow(/"k" twice/);
    // A string value that looks like a key does not count.
    expect(read('{"a":"b","b":"a"}')).toEqual({ a: 'b', b: 'a' });
  });
  it('refuses nesting deeper than the limit without overflowing the stack', () => {
    const deep = `${'{"a":'.repeat(100000)}1${'}'.repeat(100000)}`;
    expect(() => read(deep)).toThrow(/expected at most 64 levels of nesting, received deeper nesting/);
    expect(() => read('[[[1]]]', { maxDepth: 2 })).toThrow(/^x\.json: \[0\]\[0\]: expected at most 2 levels/);
    expect(read('[[1]]', { maxDepth: 2 })).toEqual([[1]]);
  });
  it('refuses text over the size limit, and malformed text, with the chosen error class', () => {
    expect(() => read('[1,2,3]', { maxChars: 5 })).toThrow(/^x\.json: expected at most 5 characters of JSON, received 7 characters/);
    const config = (details: { field: string; expected: string; received: string }) => new ConfigError(details);
    expect(() => parseJsonText('{"a":', { source: 'c', error: config })).toThrow(ConfigError);
    expect(() => parseJsonText('{"a":"', { source: 'c' })).toThrow(/^c: expected valid JSON/);
    expect(() => parseJsonText('}}]]', { source: 'c' })).toThrow(/^c: expected valid JSON/);
  });
});
