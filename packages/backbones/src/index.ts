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
export { attachLinearHeads, type ExitNetwork, type LinearHeadsOptions } from './exit-network.js';
export { SMALL_DIGITS_CNN } from './presets.js';
export { registerWasmConv2DBackpropFilter } from './wasm/conv2d-backprop-filter.js';
export { useWasmBackend } from './wasm/use-wasm-backend.js';
export { layerNorm } from './transformer/layer-norm.js';
export { keyValueMacs, lmHeadMacs, transformerLayerMacs } from './transformer/macs.js';
export { createTransformerLm, type TransformerLm, type TransformerLmOptions } from './transformer/transformer-lm.js';
export { createTwoStreamModel, type EncoderDepths, type TwoStreamModel, type TwoStreamOptions } from './two-stream/two-stream-model.js';
export { twoStreamMacs, type TwoStreamMacs } from './two-stream/macs.js';
export {
  cnnBackbonePlugin,
  createBackboneRegistry,
  mlpBackbonePlugin,
  type BackboneContext,
  type BackbonePlugin,
  type BackboneRegistry,
} from './network/backbone-plugins.js';
export { createNetwork, type ConfiguredNetwork, type CreateNetworkOptions } from './network/create-network.js';
