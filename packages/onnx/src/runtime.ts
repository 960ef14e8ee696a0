import { loadPeer } from '@offramp/core';

/** The part of an onnxruntime tensor the engine uses (onnxruntime-node and -web both fit). */
export interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
  readonly type: string;
  dispose?(): void;
}

/** What a session declares about one input or output (onnxruntime 1.21+); dims are numbers or symbols. */
export interface OrtValueMetadata {
  readonly name: string;
  readonly isTensor: boolean;
  readonly shape?: ReadonlyArray<number | string>;
}

export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata?: readonly OrtValueMetadata[];
  readonly outputMetadata?: readonly OrtValueMetadata[];
  run(feeds: Record<string, OrtTensor>, fetches: string[]): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

/** Session options passed through to onnxruntime (e.g. intraOpNumThreads, graphOptimizationLevel). */
export type OrtSessionOptions = Record<string, unknown>;

/** An onnxruntime module: `await import('onnxruntime-node')` or `await import('onnxruntime-web')`. */
export interface OrtRuntime {
  readonly InferenceSession: {
    create(model: Uint8Array, options?: OrtSessionOptions): Promise<OrtSession>;
  };
  readonly Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
}

/** onnxruntime-node (native CPU), the fast choice in Node. */
export async function loadNodeRuntime(): Promise<OrtRuntime> {
  const ort: unknown = await loadPeer('onnxruntime-node', 'npm i onnxruntime-node@^1.30.0', () => import('onnxruntime-node'));
  return ort as OrtRuntime;
}

/** onnxruntime-web (wasm): the browser runtime, and a fallback in Node. */
export async function loadWebRuntime(): Promise<OrtRuntime> {
  const ort: unknown = await loadPeer('onnxruntime-web', 'npm i onnxruntime-web@^1.30.0', () => import('onnxruntime-web'));
  return ort as OrtRuntime;
}
