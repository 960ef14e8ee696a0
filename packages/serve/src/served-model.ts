import { type Engine, type ExitPolicy, type GateRegistry, shapeSize, withThresholds } from '@offramp/core';
import { builtinGateRegistry } from '@offramp/gates';
import {
  loadNodeRuntime,
  type OnnxBundle,
  OnnxEngine,
  type OnnxValue,
  type OrtSessionOptions,
  policyFromManifest,
} from '@offramp/onnx';
import { PolicyCompiler } from './compiled-graph.js';

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
  /**
   * Compiles an exit policy of this network into one ONNX graph (the `compiled` policy), lazily;
   * absent when the model has no bundle to compile (e.g. an engine built by hand).
   */
  readonly compiler?: PolicyCompiler;
  /** Releases the engine and any compiled graph's session. */
  release(): Promise<void>;
}

/** One intra-op thread, sequential: the server's parallelism is its batching, and the machine is shared. */
export const DEFAULT_SESSION_OPTIONS: OrtSessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
};

export interface OpenOptions {
  readonly sessionOptions?: OrtSessionOptions;
  /** Where the manifest's gate is looked up (add your own gate plugins here); default: builtinGateRegistry(). */
  readonly registry?: GateRegistry;
  /** Thresholds to serve with instead of the manifest's, checked against the gate; named `thresholdsField` in errors. */
  readonly thresholds?: readonly number[];
  readonly thresholdsField?: string;
}

/**
 * Opens an exported bundle in onnxruntime-node, with the exit policy of its manifest. The policy is
 * compiled into one graph only when the `compiled` policy asks for it (see PolicyCompiler).
 */
export async function servedModelFromBundle(bundle: OnnxBundle, options: OpenOptions = {}): Promise<ServedModel<OnnxValue>> {
  const manifestPolicy = policyFromManifest(bundle.manifest, options.registry ?? builtinGateRegistry());
  const policy = options.thresholds
    ? withThresholds(manifestPolicy, options.thresholds, options.thresholdsField ?? 'thresholds')
    : manifestPolicy;
  const sessionOptions = options.sessionOptions ?? DEFAULT_SESSION_OPTIONS;
  const runtime = await loadNodeRuntime();
  const engine = await OnnxEngine.create(runtime, bundle, { sessionOptions });
  const compiler = new PolicyCompiler(bundle, runtime, sessionOptions);
  return {
    name: bundle.manifest.name ?? 'network',
    engine,
    policy,
    inputSize: shapeSize(bundle.manifest.inputShape),
    compiler,
    release: async () => {
      await compiler.release();
      await engine.release();
    },
  };
}
