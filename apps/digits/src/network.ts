import { attachLinearHeads, createCnnBackbone, type ExitNetwork, SMALL_DIGITS_CNN } from '@offramp/backbones';

/** The digits network: three conv stages, each followed by an exit; the last exit is the backbone's own head. */
export const DIGITS_ARCHITECTURE = SMALL_DIGITS_CNN;

export type DigitsNetwork = ExitNetwork;

export function createDigitsNetwork(seed: number): DigitsNetwork {
  const backbone = createCnnBackbone({
    inputShape: DIGITS_ARCHITECTURE.inputShape,
    stages: DIGITS_ARCHITECTURE.stages,
    seed,
    name: 'digits-cnn',
  });
  return attachLinearHeads(backbone, {
    classes: DIGITS_ARCHITECTURE.classes,
    pool: DIGITS_ARCHITECTURE.headPool,
    seed,
    name: 'digits',
  });
}
