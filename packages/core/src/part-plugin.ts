import { ConfigError, type ErrorDetails } from './errors.js';
import { validateGateOptions } from './gate.js';
import { NamedRegistry } from './named-registry.js';
import { checkOptionsSchema, type OptionsSchema } from './options-schema.js';

/**
 * A named way to build one part of a network from JSON options (a backbone, a head): what a
 * config's `{ type, options }` refers to. `Context` is what the builder knows beyond the options
 * (shapes, classes, seed); `Part` is what it builds.
 */
export interface PartPlugin<Options, Context, Part> {
  readonly name: string;
  readonly description: string;
  /**
   * Validates and fills defaults of the options: a Standard Schema v1 (zod >= 3.24, zod 4, valibot >= 1,
   * arktype >= 2), checked when the plugin is registered.
   */
  readonly options?: OptionsSchema<Options>;
  create(options: Options, context: Context): Part;
}

/** A registry of part plugins of one kind; unknown and duplicate names are ConfigErrors naming the kind. */
export class PartRegistry<Context, Part> extends NamedRegistry<PartPlugin<unknown, Context, Part>> {
  constructor(readonly kind: string) {
    super({
      unknown: (name, known, field) =>
        new ConfigError({ field, expected: `one of the registered ${kind}s (${known.join(', ') || 'none'})`, received: JSON.stringify(name) }),
      duplicate: (name) =>
        new ConfigError({ field: 'plugin.name', expected: `a ${kind} name that is not registered yet`, received: JSON.stringify(name) }),
    });
  }

  /** Adds a plugin; a taken name (unless `replace`) or an options schema that is not a Standard Schema v1 is a ConfigError. */
  override register(plugin: PartPlugin<unknown, Context, Part>, options?: { replace?: boolean }): void {
    checkOptionsSchema(plugin, this.kind, 'plugin.options', (details) => new ConfigError(details));
    super.register(plugin, options);
  }

  /** Builds the part a config names: `{ type, options }` at `field` (errors name `${field}.type` or `${field}.options...`). */
  create(spec: { readonly type: string; readonly options?: unknown }, context: Context, field: string): Part {
    const plugin = this.get(spec.type, `${field}.type`);
    const options = validateGateOptions(
      plugin,
      spec.options,
      `${field}.options`,
      (details: ErrorDetails) => new ConfigError(details),
      this.kind,
    );
    return plugin.create(options, context);
  }
}
