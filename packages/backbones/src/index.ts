export type { TfModule } from '@offramp/heads';
export {
  conv2dMacs,
  conv2dOutputShape,
  conv2dOutputSize,
  denseMacs,
  type Conv2dShape,
  type ConvPadding,
} from './macs.js';
export type { StagedBackbone } from './staged-backbone.js';
export { createMlpBackbone, type MlpBackboneOptions } from './mlp-backbone.js';
export { createCnnBackbone, type CnnBackboneOptions, type CnnStageSpec } from './cnn-backbone.js';
export { TfjsEngine, type TfjsEngineSpec } from './tfjs-engine.js';
export { registerWasmConv2DBackpropFilter } from './wasm/conv2d-backprop-filter.js';
export { useWasmBackend } from './wasm/use-wasm-backend.js';
