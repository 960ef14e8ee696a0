import { computeExitCosts, type Gate } from '@offramp/core';
import { entropyGate, jeiGate, marginGate, maxProbGate } from '@offramp/gates';
import { createJeiGates } from '@offramp/gates/training';
import type { TfModule } from '@offramp/heads';
import { type FeatureCache, trainJei } from '@offramp/train';

export type GateName = 'max-prob' | 'entropy' | 'margin' | 'jei';
export const GATE_NAMES: readonly GateName[] = ['max-prob', 'entropy', 'margin', 'jei'];

const RULES = { 'max-prob': maxProbGate, entropy: entropyGate, margin: marginGate } as const;

/** What the learned gate is trained on: the trained heads (kept frozen) and the cached features. */
export interface GateTrainingInputs {
  readonly exits: number;
  readonly classes: number;
  readonly heads: readonly TfModule[];
  readonly train: FeatureCache;
  readonly validation: FeatureCache;
  readonly stageMacs: readonly number[];
  readonly headMacs: readonly number[];
  readonly seed: number;
  /** JEI-DNN's cost weight lambda in the target exit argmin_l CE_l + lambda c_l. Default 0.1. */
  readonly lambda?: number;
  /** Default 5. */
  readonly epochs?: number;
}

/** A gate ready to certify, and its plugin options for the manifest (a learned gate's weights). */
export interface ChosenGate {
  readonly gate: Gate;
  readonly options?: unknown;
}

/**
 * The named gate for these exits: a rule gate with its default options, or JEI-DNN's learned gate trained on
 * the heads' outputs (the heads stay as trained; only the gates learn, by JEI-DNN's gate loss with its
 * class balancing, SGD with momentum and a cosine schedule).
 */
export async function trainOrCreateGate(name: GateName, inputs: GateTrainingInputs): Promise<ChosenGate> {
  const context = { exits: inputs.exits, classes: inputs.classes };
  if (name !== 'jei') return { gate: RULES[name].create({}, context) };
  const gates = createJeiGates({ exits: inputs.exits, seed: inputs.seed, name: `offramp-jei-${inputs.seed}-${Date.now()}` });
  try {
    // The gate's MACs do not depend on its weights: the untrained gate gives them.
    const untrained = jeiGate.create(gates.exportWeights(), context);
    const costs = computeExitCosts({ stageMacs: inputs.stageMacs, headMacs: inputs.headMacs, gateMacs: inputs.stageMacs.map((_, l) => untrained.macs(l)) });
    await trainJei({
      heads: inputs.heads,
      trainable: inputs.heads.map(() => false),
      gates,
      train: inputs.train,
      validation: inputs.validation,
      costs: costs.normalized,
      lambda: inputs.lambda ?? 0.1,
      epochs: inputs.epochs ?? 5,
      batchSize: 64,
      learningRate: 0.01,
      seed: inputs.seed,
      progress: 'jei gate',
    });
    const options = gates.exportWeights();
    return { gate: jeiGate.create(options, context), options };
  } finally {
    gates.dispose();
  }
}
