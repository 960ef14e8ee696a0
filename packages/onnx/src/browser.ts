/**
 * The browser entry of @offramp/onnx: the engine, the manifest checks and the errors. It does not
 * reference the runtime loaders (whose dynamic imports name onnxruntime-node and the default
 * onnxruntime-web build), and since the package is side-effect free a web bundler drops the
 * exporter's onnx-proto and protobufjs; pass the engine your own
 * `import * as ort from 'onnxruntime-web/wasm'`.
 */
export { MissingTensorError, OnnxModelError } from './errors.js';
export { checkFeatureSpec, type FeatureLayout, type FeatureSpec } from './feature.js';
export { checkManifest, type GraphEntry, type OnnxBundle, type OnnxManifest } from './bundle.js';
export {
  checkManifestGate,
  exitPolicyFromManifest,
  gateFromManifest,
  type JsonValue,
  type ManifestGate,
} from './manifest-gate.js';
export type { OrtRuntime, OrtSession, OrtSessionOptions, OrtTensor } from './runtime.js';
export { OnnxEngine, type OnnxEngineOptions, type OnnxValue } from './onnx-engine.js';
