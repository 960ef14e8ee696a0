import { compileEarlyExit, type OnnxBundle, policyFromManifest } from '@offramp/onnx';
import { builtinGateRegistry } from '@offramp/gates';
import type { PolicyName } from '@offramp/serve';
import type { ServingSettings } from './report-types.js';

/**
 * The variants a bundle can be served with: all of them, except `compiled` when the bundle's policy
 * does not compile into one graph (a gate without an ONNX form); a line says why it was left out,
 * and the load test goes on with the others.
 */
export function servableVariants(variants: readonly Variant[], bundle: OnnxBundle, network: string, log: (line: string) => void): Variant[] {
  if (!variants.some((v) => v.policy === 'compiled')) return [...variants];
  try {
    compileEarlyExit(bundle, policyFromManifest(bundle.manifest, builtinGateRegistry()));
    return [...variants];
  } catch (error) {
    log(`${network}: no compiled server (${error instanceof Error ? error.message : String(error)})`);
    return variants.filter((v) => v.policy !== 'compiled');
  }
}

/** A server configuration under test: a batching policy, adapting online or not. */
export interface Variant {
  /** 'continuous', 'continuous+adapt', 'batch-exit', 'compiled' or 'full'. */
  readonly name: string;
  readonly policy: PolicyName;
  /** Fraction of requests sampled for online adaptation (0: thresholds fixed). */
  readonly sampleFraction: number;
}

/**
 * The variants for the policies asked for: every policy with the same fixed thresholds (a clean
 * comparison of the batching), and the continuous policy once more adapting online.
 */
export function variantsOf(policies: readonly PolicyName[], sampleFraction: number): Variant[] {
  return policies.flatMap((policy) => {
    const fixed = { name: policy, policy, sampleFraction: 0 };
    return policy === 'continuous' && sampleFraction > 0
      ? [fixed, { name: 'continuous+adapt', policy, sampleFraction }]
      : [fixed];
  });
}

/** The `serve` arguments of a variant's server. */
export function serverArgs(
  settings: Pick<ServingSettings, 'maxBatch' | 'maxWaitMs' | 'maxQueue' | 'timeoutMs' | 'epsilon' | 'delta'>,
  bundle: string,
  variant: Variant,
  thresholds: readonly number[],
): string[] {
  const args = ['--bundle', bundle, '--policy', variant.policy, '--port', '0', '--host', '127.0.0.1'];
  args.push('--thresholds', thresholds.join(','));
  args.push('--max-batch', String(settings.maxBatch), '--max-wait', String(settings.maxWaitMs));
  args.push('--max-queue', String(settings.maxQueue), '--timeout', String(settings.timeoutMs));
  args.push('--sample-fraction', String(variant.sampleFraction), '--epsilon', String(settings.epsilon), '--delta', String(settings.delta));
  return args;
}
