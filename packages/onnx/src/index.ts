export { MissingTensorError, OnnxModelError } from './errors.js';
export { checkFeatureSpec, hostShape, nchwToNhwc, type FeatureLayout, type FeatureSpec } from './feature.js';
export { GraphBuilder, OPSET, type AttributeValue, type HostTensor } from './graph-builder.js';
export type { HostLayer } from './host-layer.js';
export { appendLayers, type GraphValue } from './layers-to-graph.js';
export { composeChain, type ChainOptions, type ChainPart } from './compose.js';
export { cutModel, type CutResult, type CutStage, type ExitPoint } from './cut-model.js';
export {
  buildBundle,
  checkManifest,
  type BundleParts,
  type GraphEntry,
  type HeadPart,
  type OnnxBundle,
  type OnnxManifest,
  type StagePart,
} from './bundle.js';
export {
  checkJsonData,
  checkManifestGate,
  exitPolicyFromManifest,
  gateFromManifest,
  type JsonValue,
  type ManifestGate,
} from './manifest-gate.js';
export { importOnnxBackbone, type ImportedBackbone, type ImportSpec, type StageFile } from './import-backbone.js';
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
