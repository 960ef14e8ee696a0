import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ArgumentError } from '@offramp/core';
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import {
  appDirectory,
  listOf,
  numberAtLeast,
  numberIn,
  oneOf,
  OptionValueError,
  positiveInt,
  replaceMarkedSection,
  updateMarkedSection,
  wholeNumber,
} from '../src/index.js';

describe('option parsers', () => {
  it('parse good values', () => {
    expect(positiveInt('12')).toBe(12);
    expect(wholeNumber(0)('0')).toBe(0);
    expect(wholeNumber(1, 2000)('2000')).toBe(2000);
    expect(numberIn(0, 1)('1')).toBe(1);
    expect(numberIn(0, 1, { open: true })('0.25')).toBe(0.25);
    expect(numberAtLeast(0)('2.5')).toBe(2.5);
    expect(oneOf(['full', 'continuous'] as const)('full')).toBe('full');
    expect(listOf(positiveInt)('1, 2,4')).toEqual([1, 2, 4]);
  });

  it('refuse bad values, naming what was expected and what came', () => {
    expect(() => positiveInt('0')).toThrow(InvalidArgumentError);
    expect(() => positiveInt('0')).toThrow('expected a whole number >= 1, received 0');
    expect(() => positiveInt('1.5')).toThrow('received 1.5');
    expect(() => positiveInt('')).toThrow(InvalidArgumentError);
    expect(() => wholeNumber(0)('-1')).toThrow('expected a whole number >= 0, received -1');
    expect(() => wholeNumber(1, 2000)('2001')).toThrow('expected a whole number in [1, 2000], received 2001');
    expect(() => numberIn(0, 1)('2')).toThrow(expect.objectContaining({ expected: 'a number in [0, 1]', received: '2' }));
    expect(() => oneOf(['a'] as const)('b')).toThrow(OptionValueError);
    expect(() => numberIn(0, 1)('1.01')).toThrow('expected a number in [0, 1], received 1.01');
    expect(() => numberIn(0, 1, { open: true })('1')).toThrow('expected a number in (0, 1), received 1');
    expect(() => numberIn(0, 1)('NaN')).toThrow(InvalidArgumentError);
    expect(() => numberAtLeast(0)('Infinity')).toThrow('expected a number >= 0, received Infinity');
    expect(() => oneOf(['a', 'b'] as const)('c')).toThrow('expected one of a, b, received c');
    expect(() => listOf(positiveInt)('1,,2')).toThrow('expected a comma-separated list, received 1,,2');
    expect(() => listOf(positiveInt)('1,x')).toThrow('received x');
  });
});

describe('appDirectory', () => {
  it('is the parent of the folder holding the module', () => {
    const url = pathToFileURL(join('/srv', 'apps', 'digits', 'dist', 'main.js')).href;
    expect(appDirectory(url)).toBe(join('/srv', 'apps', 'digits'));
  });
});

describe('marked sections', () => {
  const text = 'intro\n<!-- table:start -->\nold\n<!-- table:end -->\noutro\n';

  it('replaces what lies between the markers and keeps the rest', () => {
    expect(replaceMarkedSection(text, 'table', '| a |')).toBe('intro\n<!-- table:start -->\n| a |\n<!-- table:end -->\noutro\n');
  });

  it('throws a typed error naming the missing marker', () => {
    expect(() => replaceMarkedSection(text, 'other', 'x')).toThrow(ArgumentError);
    expect(() => replaceMarkedSection(text, 'other', 'x')).toThrow('<!-- other:start -->');
    const reversed = '<!-- t:end -->\n<!-- t:start -->\n';
    expect(() => replaceMarkedSection(reversed, 't', 'x')).toThrow('no <!-- t:end --> after it');
  });

  it('rewrites a file atomically, and skips or throws when the file or markers are missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'app-kit-'));
    const file = join(dir, 'README.md');
    await writeFile(file, text);
    expect(await updateMarkedSection(file, 'table', 'new')).toBe(true);
    expect(await readFile(file, 'utf8')).toContain('<!-- table:start -->\nnew\n<!-- table:end -->');
    expect(await readdir(dir)).toEqual(['README.md']);
    expect(await updateMarkedSection(file, 'nope', 'x', { ifMissing: 'skip' })).toBe(false);
    await expect(updateMarkedSection(file, 'nope', 'x')).rejects.toThrow(ArgumentError);
    expect(await updateMarkedSection(join(dir, 'missing.md'), 'table', 'x', { ifMissing: 'skip' })).toBe(false);
    await expect(updateMarkedSection(join(dir, 'missing.md'), 'table', 'x')).rejects.toThrow();
    expect(await readFile(file, 'utf8')).toContain('new');
  });
});
