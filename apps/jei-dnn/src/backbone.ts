import { batches, countBatches, type ImageDataset } from '@offramp/data';
import { checkpointPath, trainOrLoadBackbone } from '@offramp/train';
import { ARCHITECTURE, type Network } from './network.js';

export interface BackboneSettings {
  readonly epochs: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly progress: boolean;
}

/** Cache file of a trained backbone: the name changes with anything it was trained from. */
export function backbonePath(cacheDir: string, dataset: string, settings: BackboneSettings, trainSize: number): string {
  const key = { ARCHITECTURE, dataset, epochs: settings.epochs, batch: settings.batchSize, seed: settings.seed, trainSize };
  return checkpointPath(cacheDir, `${dataset}-backbone`, key);
}

/**
 * Trains the backbone with its own last head on cross-entropy (Adam), once: later runs load it from the
 * cache. JEI-DNN then keeps it frozen.
 */
export function trainOrLoadNetworkBackbone(
  network: Network,
  dataset: string,
  train: ImageDataset,
  settings: BackboneSettings,
  cacheDir: string,
): Promise<{ fromCache: boolean; path: string; losses: number[] }> {
  return trainOrLoadBackbone({
    stages: network.backbone.stages,
    head: network.heads[network.heads.length - 1]!,
    inputShape: ARCHITECTURE.inputShape,
    batches: (epoch: number) => batches(train, { batchSize: settings.batchSize, shuffle: true, seed: settings.seed, epoch }),
    batchesPerEpoch: countBatches(train.n, { batchSize: settings.batchSize }),
    epochs: settings.epochs,
    progress: settings.progress ? `${dataset} backbone` : false,
    checkpoint: backbonePath(cacheDir, dataset, settings, train.n),
  });
}
