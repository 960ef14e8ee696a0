import { type Engine, type ExitPolicy, GateRegistry, shapeSize } from '@offramp/core';
import { registerBuiltinGates } from '@offramp/gates';
import {
  exitPolicyFromManifest,
  loadNodeRuntime,
  type OnnxBundle,
  OnnxEngine,
  type OnnxValue,
  type OrtSessionOptions,
} from '@offramp/onnx';

/** An engine that can also run the single full-model graph (the baseline). */
export interface ServingEngine<T> extends Engine<T> {
  runFull(input: Float32Array, batch: number): Promise<Float32Array>;
}

/** A network ready to serve: its engine, its exit policy, and what a sample looks like. */
export interface ServedModel<T> {
  readonly name: string;
  readonly engine: ServingEngine<T>;
  readonly policy: ExitPolicy;
  /** Values per sample (prod of the input shape). */
  readonly inputSize: number;
  release(): Promise<void>;
}

/** One intra-op thread, sequential: the server's parallelism is its batching, and the machine is shared. */
export const DEFAULT_SESSION_OPTIONS: OrtSessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
};

/** Opens an exported bundle in onnxruntime-node, with the gate and thresholds of its manifest. */
export async function servedModelFromBundle(
  bundle: OnnxBundle,
  sessionOptions: OrtSessionOptions = DEFAULT_SESSION_OPTIONS,
): Promise<ServedModel<OnnxValue>> {
  const registry = new GateRegistry();
  registerBuiltinGates(registry);
  const policy = exitPolicyFromManifest(bundle.manifest, registry);
  const engine = await OnnxEngine.create(await loadNodeRuntime(), bundle, { sessionOptions });
  return {
    name: bundle.manifest.name ?? 'network',
    engine,
    policy,
    inputSize: shapeSize(bundle.manifest.inputShape),
    release: () => engine.release(),
  };
}
