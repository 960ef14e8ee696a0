import { DuplicateGateError, GateOptionsError, UnknownGateError } from './errors.js';
import { type Gate, type GateContext, type GatePlugin, validateGateOptions } from './gate.js';
import { NamedRegistry } from './named-registry.js';
import { checkOptionsSchema } from './options-schema.js';

/** A gate chosen by name, with its options. */
export interface GateSpec {
  readonly name: string;
  readonly options?: unknown;
}

/** A map of gate plugins by name. The package keeps one default registry; make more for isolation. */
export class GateRegistry extends NamedRegistry<GatePlugin<unknown>> {
  constructor() {
    super({
      unknown: (name, known, field) => new UnknownGateError(name, known, field),
      duplicate: (name) => new DuplicateGateError(name),
    });
  }

  /**
   * Adds a plugin; a name taken by another plugin is an error unless `replace` is set, and so is an
   * options schema that is not a Standard Schema v1 (a GateOptionsError naming `plugin.options`).
   */
  override register<Options>(plugin: GatePlugin<Options>, options?: { replace?: boolean }): void {
    checkOptionsSchema(plugin, 'gate', 'plugin.options', (details) => new GateOptionsError(details));
    super.register(plugin as GatePlugin<unknown>, options);
  }

  override get(name: string, field = 'gate.name'): GatePlugin<unknown> {
    return super.get(name, field);
  }

  /**
   * Creates a gate by name or `{ name, options }`, validating the options with the plugin's schema.
   * Errors name `${field}.${nameKey}` or `${field}.options`.
   */
  create(spec: string | GateSpec, context: GateContext, field = 'gate', nameKey = 'name'): Gate {
    const { name, options } = typeof spec === 'string' ? { name: spec, options: undefined } : spec;
    if (typeof name !== 'string') {
      throw new GateOptionsError({ field: `${field}.${nameKey}`, expected: 'a string', received: typeof name });
    }
    const plugin = this.get(name, `${field}.${nameKey}`);
    return plugin.create(validateGateOptions(plugin, options, `${field}.options`), context);
  }
}

/** The default registry that `registerGate`, `createGate` and `listGates` use. */
export const defaultGateRegistry = new GateRegistry();

export function registerGate<Options>(plugin: GatePlugin<Options>, options?: { replace?: boolean }): void {
  defaultGateRegistry.register(plugin, options);
}

export function createGate(spec: string | GateSpec, context: GateContext): Gate {
  return defaultGateRegistry.create(spec, context);
}

/** Registered gate names, sorted; with a pattern, those matching it (`*` any run, `?` one character). */
export function listGates(pattern?: string): string[] {
  return defaultGateRegistry.list(pattern);
}
