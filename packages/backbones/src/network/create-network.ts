import {
  CountMismatchError,
  defaultGateRegistry,
  type ExitPolicy,
  type GateRegistry,
  InputShapeError,
  type NetworkConfig,
  parseNetworkConfig,
  resolvePolicy,
  shapeSize,
} from '@offramp/core';
import { createHeadRegistry, type HeadRegistry, type TfModule } from '@offramp/heads';
import type { ExitNetwork } from '../exit-network.js';
import { TfjsEngine } from '../tfjs-engine.js';
import { type BackboneRegistry, createBackboneRegistry } from './backbone-plugins.js';

export interface CreateNetworkOptions {
  /** Seed of every initialiser: the backbone draws from seed, head l from seed + 100 + l. Default 0. */
  readonly seed?: number;
  /** Prefix of the variable names; default the config's name (or `network`). Head l is `${name}-head${l}`. */
  readonly name?: string;
  readonly gates?: GateRegistry;
  readonly backbones?: BackboneRegistry;
  readonly heads?: HeadRegistry;
}

/** A network built from its config: the modules, an engine over them and the exit policy it runs with. */
export interface ConfiguredNetwork extends ExitNetwork {
  readonly config: NetworkConfig;
  readonly engine: TfjsEngine;
  readonly policy: ExitPolicy;
}

/**
 * Builds the network a config describes, by name through registries (backbones, heads and gates
 * register alike): the backbone, one head per exit, a TfjsEngine over them, and the config's policy
 * resolved with the network's own MACs. The config is validated first; a backbone whose stages do
 * not match `exits`, or whose input shape differs from `inputShape`, is a typed error. On failure
 * nothing is left allocated.
 */
export function createNetwork(raw: unknown, options: CreateNetworkOptions = {}): ConfiguredNetwork {
  const gates = options.gates ?? defaultGateRegistry;
  const config = parseNetworkConfig(raw, gates);
  const seed = options.seed ?? 0;
  const name = options.name ?? config.name ?? 'network';
  const backbone = (options.backbones ?? createBackboneRegistry()).create(
    config.backbone,
    { inputShape: config.inputShape, seed, name },
    'backbone',
  );
  const heads: TfModule[] = [];
  const dispose = () => {
    backbone.dispose();
    for (const head of heads) head.dispose();
  };
  try {
    if (backbone.stages.length !== config.exits) {
      throw new CountMismatchError({
        field: 'backbone.options',
        expected: `a backbone of ${config.exits} stages (config.exits)`,
        received: `${backbone.stages.length} stages`,
      });
    }
    if (shapeSize(config.inputShape) !== shapeSize(backbone.inputShape)) {
      throw new InputShapeError({
        field: 'inputShape',
        expected: `the backbone's input ${JSON.stringify(backbone.inputShape)}`,
        received: JSON.stringify(config.inputShape),
      });
    }
    const headRegistry = options.heads ?? createHeadRegistry();
    config.heads.forEach((spec, l) => {
      const context = { inputShape: backbone.stages[l]!.outputShape, classes: config.classes, seed: seed + 100 + l, name: `${name}-head${l}` };
      heads.push(headRegistry.create(spec, context, `heads[${l}]`));
    });
    const engine = new TfjsEngine({ stages: backbone.stages, heads, inputShape: config.inputShape, classes: config.classes });
    const stageMacs = backbone.stageMacs;
    const headMacs = heads.map((h) => h.macs);
    const policy = resolvePolicy(
      config.policy,
      { exits: config.exits, classes: config.classes, hiddenSizes: backbone.stages.map((s) => shapeSize(s.outputShape)), stageMacs, headMacs },
      gates,
    );
    return { config, backbone, heads, engine, policy, dispose };
  } catch (error) {
    dispose();
    throw error;
  }
}
