import { compileEarlyExit, type OnnxBundle, policyFromManifest } from '@offramp/onnx';
import { builtinGateRegistry } from '@offramp/gates';
import type { Variant } from './run-load-test.js';

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
