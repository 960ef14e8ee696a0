/**
 * Names matching a pattern where `*` stands for any run of characters and `?` for one character
 * (as timm's `list_models('resnet*')`); no pattern: every name. Sorted.
 */
export function matchNames(names: Iterable<string>, pattern?: string): string[] {
  const all = [...names].sort();
  if (pattern === undefined) return all;
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const regex = new RegExp(`^${source}$`);
  return all.filter((name) => regex.test(name));
}

/** How a registry reports a name it lacks and a name taken twice. */
export interface RegistryErrors {
  unknown(name: string, known: readonly string[], field: string): Error;
  duplicate(name: string): Error;
}

/**
 * Plugins by name: gates, backbones and heads all register this way, so a JSON config can name
 * them. Registering a taken name is an error unless `replace` is set.
 */
export class NamedRegistry<P extends { readonly name: string }> {
  readonly #plugins = new Map<string, P>();
  readonly #errors: RegistryErrors;

  constructor(errors: RegistryErrors) {
    this.#errors = errors;
  }

  register(plugin: P, { replace = false }: { replace?: boolean } = {}): void {
    if (this.#plugins.has(plugin.name) && !replace) throw this.#errors.duplicate(plugin.name);
    this.#plugins.set(plugin.name, plugin);
  }

  unregister(name: string): boolean {
    return this.#plugins.delete(name);
  }

  has(name: string): boolean {
    return this.#plugins.has(name);
  }

  get(name: string, field = 'name'): P {
    const plugin = this.#plugins.get(name);
    if (!plugin) throw this.#errors.unknown(name, this.list(), field);
    return plugin;
  }

  /** Registered names, sorted; with a pattern, those matching it (`*` any run, `?` one character). */
  list(pattern?: string): string[] {
    return matchNames(this.#plugins.keys(), pattern);
  }
}
