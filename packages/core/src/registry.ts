import { DuplicateGateError, GateOptionsError, UnknownGateError } from './errors.js';
import { type Gate, type GateContext, type GatePlugin, validateGateOptions } from './gate.js';

/** A gate chosen by name, with its options. */
export interface GateSpec {
  readonly name: string;
  readonly options?: unknown;
}

/** A map of gate plugins by name. The package keeps one default registry; make more for isolation. */
export class GateRegistry {
  readonly #plugins = new Map<string, GatePlugin<unknown>>();

  /** Adds a plugin; a name that is already taken is an error unless `replace` is set. */
  register<Options>(plugin: GatePlugin<Options>, { replace = false }: { replace?: boolean } = {}): void {
    if (this.#plugins.has(plugin.name) && !replace) throw new DuplicateGateError(plugin.name);
    this.#plugins.set(plugin.name, plugin as GatePlugin<unknown>);
  }

  unregister(name: string): boolean {
    return this.#plugins.delete(name);
  }

  has(name: string): boolean {
    return this.#plugins.has(name);
  }

  get(name: string, field = 'gate.name'): GatePlugin<unknown> {
    const plugin = this.#plugins.get(name);
    if (!plugin) throw new UnknownGateError(name, this.list(), field);
    return plugin;
  }

  /** Registered names, sorted. */
  list(): string[] {
    return [...this.#plugins.keys()].sort();
  }

  /** Creates a gate by name or `{ name, options }`, validating the options with the plugin's schema. */
  create(spec: string | GateSpec, context: GateContext, field = 'gate'): Gate {
    const { name, options } = typeof spec === 'string' ? { name: spec, options: undefined } : spec;
    if (typeof name !== 'string') {
      throw new GateOptionsError({ field: `${field}.name`, expected: 'a string', received: typeof name });
    }
    const plugin = this.get(name, `${field}.name`);
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

export function listGates(): string[] {
  return defaultGateRegistry.list();
}
