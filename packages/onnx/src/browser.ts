/**
 * The browser entry of @offramp/onnx: the engine, the manifest checks, the runner of compiled
 * models and the errors. It does not reference the runtime loaders (whose dynamic imports name
 * onnxruntime-node and the default onnxruntime-web build), and since the package is side-effect
 * free a web bundler drops the exporter's onnx-proto and protobufjs unless the page uses
 * CompiledEarlyExit; pass the engine your own `import * as ort from 'onnxruntime-web/wasm'`.
 */
export { MissingTensorError, OnnxModelError, OnnxRunError } from './errors.js';
export { checkFeatureSpec, type FeatureLayout, type FeatureSpec } from './feature.js';
export type { OnnxBundle } from './bundle.js';
export { checkManifest, type GraphEntry, type OnnxManifest } from './manifest.js';
export type { JsonValue } from './json-data.js';
export { policyFromManifest } from './manifest-policy.js';
export type { OrtRuntime, OrtSession, OrtSessionOptions, OrtTensor } from './runtime.js';
export { OnnxEngine, type OnnxEngineOptions, type OnnxValue } from './onnx-engine.js';
// Running a model compiled by compileEarlyExit (`@offramp/onnx/compile`). CompiledEarlyExit.create
// can read a model from its bytes, so a bundle that uses it also holds onnx-proto and protobufjs.
export {
  CompiledEarlyExit,
  readCompiledModel,
  type CompiledEarlyExitModel,
  type CompiledIo,
  type CompiledResult,
} from './compile/index.js';
