import { ArgumentError, defaultGateRegistry, type ExitPolicy, type GateRegistry, resolvePolicy, shapeSize } from '@offramp/core';
import type { OnnxManifest } from './manifest.js';

/**
 * The exit policy an exported network is served with: the manifest's `policy` resolved through
 * `registry` (the default registry of @offramp/core when omitted) for the manifest's exits,
 * classes, per-stage feature sizes and MACs. Errors are core's, with `field` under `manifest.policy`:
 * UnknownGateError for a gate the registry lacks, GateOptionsError for bad options (a learned gate's
 * weights of the wrong size), CountMismatchError / ThresholdRangeError for bad thresholds.
 */
export function policyFromManifest(manifest: OnnxManifest, registry: GateRegistry = defaultGateRegistry): ExitPolicy {
  if (manifest.policy === undefined) {
    throw new ArgumentError({ field: 'manifest.policy', expected: 'a policy stored in the manifest', received: 'none' });
  }
  return resolvePolicy(
    manifest.policy,
    {
      exits: manifest.exits,
      classes: manifest.classes,
      hiddenSizes: manifest.stages.map((s) => shapeSize(s.feature.shape)),
      stageMacs: manifest.macs.stages,
      headMacs: manifest.macs.heads,
    },
    registry,
    'manifest.policy',
  );
}
