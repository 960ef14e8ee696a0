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
export { TokenDecoder, type TokenExitPolicy, type TokenStep } from './transformer/token-decoder.js';
export { createTwoStreamModel, type EncoderDepths, type TwoStreamModel, type TwoStreamOptions } from './two-stream/two-stream-model.js';
export { twoStreamMacs, type TwoStreamMacs } from './two-stream/macs.js';
export {
  runEncoderStream,
  streamOutputFromTrace,
  traceEncoderStream,
  type StreamInput,
  type StreamOutput,
  type StreamTrace,
} from './two-stream/encoder-stream.js';
export {
  buildMemory,
  decodeWithExits,
  type DecodeOptions,
  type DecodeResult,
  type HostMemory,
} from './two-stream/decode.js';
export { copiedStateCount } from './two-stream/copied-states.js';
