import { POLICIES } from '@offramp/serve';
import { describe, expect, it } from 'vitest';
import { tinyBundle } from '../../../packages/serve/test/tiny-network.js';
import { servableVariants, variantsOf } from '../src/load-test/variants.js';

describe('the load tests', () => {
  it('run a compiled server beside the others, unless the bundle\'s gate cannot be compiled', () => {
    const variants = variantsOf(POLICIES, 0.05);
    expect(variants.map((v) => v.name)).toEqual(['continuous', 'continuous+adapt', 'batch-exit', 'compiled', 'full']);
    const lines: string[] = [];
    expect(servableVariants(variants, tinyBundle(), 'tiny', (l) => lines.push(l))).toEqual(variants);
    expect(lines).toEqual([]);
    const served = servableVariants(variants, tinyBundle(3, 0.55, { gate: 'similarity', thresholds: [0.8, 0.8] }), 'tiny', (l) => lines.push(l));
    expect(served.map((v) => v.name)).toEqual(['continuous', 'continuous+adapt', 'batch-exit', 'full']);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^tiny: no compiled server \(.*similarity/);
  });
});
