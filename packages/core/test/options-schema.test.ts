import type { StandardSchemaV1 } from '@standard-schema/spec';
import { describe, expect, it } from 'vitest';
import { z as z4 } from 'zod';
import { z as z3 } from 'zod3';
import {
  ConfigError,
  defineGate,
  type GatePlugin,
  GateOptionsError,
  GateRegistry,
  isStandardSchema,
  type OfframpError,
  PartRegistry,
  type PartPlugin,
  validateGateOptions,
} from '../src/index.js';

const context = { exits: 3, classes: 4 };

function caught(run: () => unknown): OfframpError {
  try {
    run();
  } catch (error) {
    return error as OfframpError;
  }
  throw new Error('expected an error');
}

/** A gate whose score is its `bias` option, with a `window` used as the default threshold. */
function windowGate<Options extends { window: number; bias: number }>(name: string, options: StandardSchemaV1<unknown, Options>) {
  return defineGate({
    name,
    options,
    range: { min: 0, max: 10 },
    defaultThreshold: (o) => o.window,
    score: (o) => (signal) => new Float32Array(signal.batch).fill(o.bias),
  });
}

// The same options schema in the two zod lines the contract covers at its ends.
const zod3Gate = windowGate(
  'zod3-window',
  z3.object({ window: z3.number().int().min(1).default(2), bias: z3.number().default(0), weights: z3.array(z3.number()).optional() }).strict(),
);
const zod4Gate = windowGate(
  'zod4-window',
  z4.strictObject({ window: z4.number().int().min(1).default(2), bias: z4.number().default(0), weights: z4.array(z4.number()).optional() }),
);

/** A zod schema as zod before 3.24 made it: everything but `~standard`. */
function legacyZod(): unknown {
  const schema = z3.object({ window: z3.number() });
  Object.defineProperty(schema, '~standard', { value: undefined });
  return schema;
}

/** A plugin written by hand, with whatever `options` a user's project gives it. */
function pluginWith(options: unknown, name = 'legacy-gate'): GatePlugin<unknown> {
  return { name, description: '', options, create: () => zod4Gate.create({ window: 1, bias: 0 }, context) } as GatePlugin<unknown>;
}

describe('gate options schemas: Standard Schema v1 (zod >= 3.24 and zod 4)', () => {
  it.each([
    ['zod 3.24', zod3Gate],
    ['zod 4', zod4Gate],
  ])('%s: validates the options and fills their defaults', (_lib, plugin) => {
    const registry = new GateRegistry();
    registry.register(plugin);
    expect(registry.create(plugin.name, context).defaultThreshold).toBe(2);
    const gate = registry.create({ name: plugin.name, options: { window: 3, bias: 0.5 } }, context);
    expect(gate.defaultThreshold).toBe(3);
    expect(Array.from(gate.score({ batch: 2 } as never))).toEqual([0.5, 0.5]);
  });

  it.each([
    ['zod 3.24', zod3Gate],
    ['zod 4', zod4Gate],
  ])('%s: bad options are a GateOptionsError naming the field and the value', (_lib, plugin) => {
    const registry = new GateRegistry();
    registry.register(plugin);
    const wrongType = caught(() => registry.create({ name: plugin.name, options: { window: 'three' } }, context));
    expect(wrongType).toBeInstanceOf(GateOptionsError);
    expect(wrongType.code).toBe('GATE_OPTIONS_INVALID');
    expect(wrongType.field).toBe('gate.options.window');
    expect(wrongType.received).toBe('"three"');
    expect(wrongType.message).toMatch(/^gate\.options\.window: expected .*number/);

    const tooSmall = caught(() => registry.create({ name: plugin.name, options: { window: 0 } }, context));
    expect(tooSmall.field).toBe('gate.options.window');
    expect(tooSmall.received).toBe('0');

    const inArray = caught(() => registry.create({ name: plugin.name, options: { weights: [1, 'x'] } }, context));
    expect(inArray.field).toBe('gate.options.weights[1]');
    expect(inArray.received).toBe('"x"');

    const unknownKey = caught(() => registry.create({ name: plugin.name, options: { windw: 2 } }, context));
    expect(unknownKey).toBeInstanceOf(GateOptionsError);
    expect(unknownKey.field).toMatch(/^gate\.options/);
  });

  it.each([
    ['zod 3.24', z3.object({ width: z3.number().int().positive().default(8) })],
    ['zod 4', z4.object({ width: z4.number().int().positive().default(8) })],
  ])('%s: part plugins (backbones, heads) validate the same way, with ConfigErrors', (_lib, schema) => {
    const registry = new PartRegistry<{ readonly inputs: number }, { width: number; inputs: number }>('backbone');
    const plugin: PartPlugin<{ width: number }, { readonly inputs: number }, { width: number; inputs: number }> = {
      name: 'wide',
      description: 'a part of a given width',
      options: schema,
      create: (options, ctx) => ({ width: options.width, inputs: ctx.inputs }),
    };
    registry.register(plugin as PartPlugin<unknown, { readonly inputs: number }, { width: number; inputs: number }>);
    expect(registry.create({ type: 'wide' }, { inputs: 3 }, 'backbone')).toEqual({ width: 8, inputs: 3 });
    const error = caught(() => registry.create({ type: 'wide', options: { width: -1 } }, { inputs: 3 }, 'backbone'));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.field).toBe('backbone.options.width');
    expect(error.received).toBe('-1');
  });

  it('recognises Standard Schemas: zod 3.24, zod 4, and callable schemas (arktype) but not zod < 3.24 or plain objects', () => {
    expect(isStandardSchema(z3.number())).toBe(true);
    expect(isStandardSchema(z4.number())).toBe(true);
    const callable = Object.assign(() => undefined, { '~standard': { version: 1, vendor: 'arktype', validate: (v: unknown) => ({ value: v }) } });
    expect(isStandardSchema(callable)).toBe(true);
    expect(isStandardSchema(legacyZod())).toBe(false);
    expect(isStandardSchema({ parse: () => ({}) })).toBe(false);
    expect(isStandardSchema({ '~standard': { version: 2, validate: () => ({ value: 1 }) } })).toBe(false);
    expect(isStandardSchema(null)).toBe(false);
  });
});

describe('a schema that is not a Standard Schema v1', () => {
  it('zod < 3.24 is refused when the gate is defined, naming the field, the gate and the versions that work', () => {
    const error = caught(() =>
      defineGate({
        name: 'old-zod',
        options: legacyZod() as StandardSchemaV1<unknown, { window: number }>,
        range: { min: 0, max: 1 },
        defaultThreshold: 0.5,
        score: () => (signal) => new Float32Array(signal.batch),
      }),
    );
    expect(error).toBeInstanceOf(GateOptionsError);
    expect(error.field).toBe('definition.options');
    expect(error.expected).toMatch(/Standard Schema v1.*zod >= 3\.24/);
    expect(error.received).toBe('for gate "old-zod", a zod schema without "~standard" (zod older than 3.24)');
  });

  it('a hand-written plugin is refused at registration, not with a TypeError at createGate', () => {
    const registry = new GateRegistry();
    const error = caught(() => registry.register(pluginWith(legacyZod())));
    expect(error).toBeInstanceOf(GateOptionsError);
    expect(error.field).toBe('plugin.options');
    expect(error.message).toContain('gate "legacy-gate"');
    expect(error.message).toContain('zod older than 3.24');
    expect(registry.has('legacy-gate')).toBe(false);
  });

  it.each([
    [{ parse: () => ({}) }, 'an object without "~standard" (keys: parse)'],
    [{}, 'an object without "~standard"'],
    ['z.object()', 'string "z.object()"'],
    [{ '~standard': { version: 2, validate: () => ({ value: {} }) } }, 'a "~standard" property of version 2'],
    [{ '~standard': { version: 1 } }, 'a "~standard" property whose validate is undefined, not a function'],
    [{ '~standard': 'yes' }, 'a "~standard" property that is "yes"'],
  ])('options %j are refused at registration: %s', (options, received) => {
    const error = caught(() => new GateRegistry().register(pluginWith(options)));
    expect(error).toBeInstanceOf(GateOptionsError);
    expect(error.received).toBe(`for gate "legacy-gate", ${received}`);
  });

  it('part registries refuse it too, naming the kind of part', () => {
    const registry = new PartRegistry<unknown, unknown>('head');
    const plugin = { name: 'old-head', description: '', options: legacyZod(), create: () => ({}) } as PartPlugin<unknown, unknown, unknown>;
    const error = caught(() => registry.register(plugin));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.field).toBe('plugin.options');
    expect(error.received).toContain('head "old-head"');
    expect(registry.has('old-head')).toBe(false);
  });

  it('a plugin used without a registry gets the typed error from validateGateOptions', () => {
    const error = caught(() => validateGateOptions(pluginWith({ safeParse: () => ({ success: true }), _def: {} }, 'direct'), {}));
    expect(error).toBeInstanceOf(GateOptionsError);
    expect(error.field).toBe('plugin.options');
    expect(error.received).toContain('gate "direct"');
  });

  it('a plugin that is not an object is a typed error', () => {
    const error = caught(() => new GateRegistry().register(null as unknown as GatePlugin<unknown>));
    expect(error).toBeInstanceOf(GateOptionsError);
    expect(error.field).toBe('plugin');
  });
});

describe('asynchronous schemas (gates are created synchronously)', () => {
  const asyncOnly: StandardSchemaV1<unknown, { window: number; bias: number }> = {
    '~standard': { version: 1, vendor: 'test', validate: async () => ({ issues: [{ message: 'never' }] }) },
  };

  it.each([
    ['a Standard Schema whose validate returns a Promise', asyncOnly],
    ['zod 3.24 with an async refinement', z3.object({ window: z3.number().default(1), bias: z3.number().default(0) }).refine(async () => true)],
    ['zod 4 with an async refinement', z4.object({ window: z4.number().default(1), bias: z4.number().default(0) }).refine(async () => true)],
  ])('%s is a typed error naming the plugin', (_what, schema) => {
    const registry = new GateRegistry();
    registry.register(windowGate('async-gate', schema as StandardSchemaV1<unknown, { window: number; bias: number }>));
    const error = caught(() => registry.create({ name: 'async-gate', options: {} }, context));
    expect(error).toBeInstanceOf(GateOptionsError);
    expect(error.field).toBe('plugin.options');
    expect(error.expected).toMatch(/validates synchronously/);
    expect(error.received).toMatch(/^for gate "async-gate", a schema whose validate returned a Promise/);
  });

  it('a validate that returns something other than a result is a typed error', () => {
    const broken = { '~standard': { version: 1, vendor: 'test', validate: () => undefined } } as unknown as StandardSchemaV1<unknown, never>;
    const error = caught(() => validateGateOptions({ name: 'broken', options: broken }, {}, 'gate.options'));
    expect(error).toBeInstanceOf(GateOptionsError);
    expect(error.field).toBe('plugin.options');
    expect(error.received).toBe('for gate "broken", undefined');
  });
});
