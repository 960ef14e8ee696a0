import { attachLinearHeads, createCnnBackbone, type ExitNetwork, SMALL_DIGITS_CNN } from '@offramp/backbones';
/** Three conv stages (3x3, 8 / 16 / 32 filters, ReLU, 2x2 max pooling), a linear head after each. */
export const ARCHITECTURE = SMALL_DIGITS_CNN;

/** One linear head per exit; the last one is the backbone's own head, trained with it and then frozen. */
export type Network = ExitNetwork;

/** The network for one data set; `name` keeps tfjs variable names apart between data sets. */
export function createNetwork(name: string, seed: number): Network {
  const backbone = createCnnBackbone({ inputShape: ARCHITECTURE.inputShape, stages: ARCHITECTURE.stages, seed, name: `${name}-cnn` });
  return attachLinearHeads(backbone, { classes: ARCHITECTURE.classes, pool: ARCHITECTURE.headPool, seed, name });
}
