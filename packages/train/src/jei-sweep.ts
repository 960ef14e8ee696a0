import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ArgumentError } from '@offramp/core';
import type { JeiGates } from '@offramp/gates/training';
import type { JeiGateWeights } from '@offramp/gates';
import { saveVariables } from './checkpoint.js';
import { type JeiEpochLog, type JeiTrainOptions, trainJei } from './jei-train.js';

export interface JeiSweepOptions extends Omit<JeiTrainOptions, 'lambda' | 'gates'> {
  /** One trained network per lambda, each from the same warmed-up heads. */
  readonly lambdas: readonly number[];
  /** Fresh gates for the network of lambdas[index] (e.g. with a name holding the index). */
  readonly createGates: (index: number) => JeiGates;
  /** When set, each network's trainable heads and gates are saved to `<dir>/jei-lambda-<lambda>.ckpt`. */
  readonly checkpointDir?: string;
  /**
   * Called after each network is trained, while the heads hold its weights (they are reset to the warm-up
   * weights before the next lambda): evaluate it here.
   */
  readonly onNetwork?: (network: JeiNetwork, gates: JeiGates) => void | Promise<void>;
}

export interface JeiNetwork {
  readonly lambda: number;
  /** The gates' plain weights: the options of the `jei` gate plugin. */
  readonly gateWeights: JeiGateWeights;
  readonly log: JeiEpochLog[];
  /** Path of the checkpoint of heads and gates, when a checkpoint folder was given. */
  readonly checkpoint?: string;
}

/** File name of a lambda's checkpoint. */
export function jeiCheckpointName(lambda: number): string {
  return `jei-lambda-${lambda}.ckpt`;
}

/**
 * JEI-DNN's lambda sweep: for every lambda, start from the warmed-up heads, train fresh gates and the heads with
 * trainJei, save a checkpoint, and hand the network to onNetwork. The heads end with their warm-up weights.
 */
export async function jeiLambdaSweep(options: JeiSweepOptions): Promise<JeiNetwork[]> {
  const { lambdas, heads } = options;
  if (lambdas.length === 0) throw new ArgumentError({ field: 'lambdas', expected: 'at least one lambda', received: 'none' });
  const trainable = options.trainable ?? heads.map(() => true);
  const headVariables = heads.flatMap((h, l) => (trainable[l] ? [...h.variables] : []));
  const warm = headVariables.map((v) => tf.clone(v));
  const networks: JeiNetwork[] = [];
  try {
    for (let k = 0; k < lambdas.length; k++) {
      const lambda = lambdas[k]!;
      headVariables.forEach((v, i) => {
        v.assign(warm[i]!);
      });
      const gates = options.createGates(k);
      try {
        const log = await trainJei({ ...options, gates, lambda, seed: options.seed + k });
        let checkpoint: string | undefined;
        if (options.checkpointDir) {
          checkpoint = join(options.checkpointDir, jeiCheckpointName(lambda));
          await saveVariables(checkpoint, [...headVariables, ...gates.variables]);
        }
        const network: JeiNetwork = { lambda, gateWeights: gates.exportWeights(), log, ...(checkpoint ? { checkpoint } : {}) };
        await options.onNetwork?.(network, gates);
        networks.push(network);
      } finally {
        gates.dispose();
      }
    }
  } finally {
    headVariables.forEach((v, i) => {
      v.assign(warm[i]!);
    });
    tf.dispose(warm);
  }
  return networks;
}
