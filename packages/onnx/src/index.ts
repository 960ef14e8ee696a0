export { MissingTensorError, OnnxModelError, OnnxRunError } from './errors.js';
export { checkFeatureSpec, hostShape, nchwToNhwc, type FeatureLayout, type FeatureSpec } from './feature.js';
export { GraphBuilder, OPSET, TENSOR_TYPE, type AttributeValue, type HostTensor } from './graph-builder.js';
export type { HostLayer } from './host-layer.js';
export { appendLayers, type GraphValue } from './layers-to-graph.js';
export { composeChain, type ChainOptions, type ChainPart } from './compose.js';
export { cutModel, type CutResult, type CutStage, type ExitPoint } from './cut-model.js';
export { buildBundle, type BundleParts, type HeadPart, type OnnxBundle, type StagePart } from './bundle.js';
export { checkManifest, type GraphEntry, type OnnxManifest } from './manifest.js';
export { checkJsonData, type JsonValue } from './json-data.js';
export { policyFromManifest } from './manifest-policy.js';
export {
  importOnnxBackbone,
  type ImportedBackbone,
  type ImportOptions,
  type ImportSpec,
  type StageFile,
} from './import-backbone.js';
export { probeTensors, type ProbedTensor, type ProbeOptions } from './probe.js';
export { graphInput, type GraphInput } from './graph-input.js';
export { extractFeatures } from './features.js';
export {
  loadNodeRuntime,
  loadWebRuntime,
  type OrtRuntime,
  type OrtSession,
  type OrtSessionOptions,
  type OrtTensor,
} from './runtime.js';
export { OnnxEngine, type OnnxEngineOptions, type OnnxValue } from './onnx-engine.js';
export { runSession } from './run-session.js';
export * from './compile/index.js';
export { readLmWeights, transformerLmGraph, type LmGraphRange, type LmSizes, type LmWeights, type TransformerLmSource } from './transformer-lm-graph.js';
