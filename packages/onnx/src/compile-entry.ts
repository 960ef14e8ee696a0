/**
 * The compile entry of @offramp/onnx (`@offramp/onnx/compile`): early exit compiled into one ONNX
 * graph and the runner for it, without the exporter (tfjs) or the runtime loaders (whose dynamic
 * imports name onnxruntime-node), so a web page can compile a bundle for the gate and thresholds
 * chosen there. It brings onnx-proto and protobufjs (the graphs are decoded and encoded), which a
 * page can load on first use with a dynamic `import()`; pass the runner your own
 * `import * as ort from 'onnxruntime-web/wasm'`.
 */
export { MissingTensorError, OnnxModelError, OnnxRunError } from './errors.js';
export type { OnnxBundle } from './bundle.js';
export type { OrtRuntime, OrtSessionOptions } from './runtime.js';
export * from './compile/index.js';
