export { TokenDecoder, type TokenStep } from './token/token-decoder.js';
export { tokenExitCosts, tokenExitPolicy } from './token/token-policy.js';
export type { StreamInput, StreamKind, StreamOutput } from './two-stream/stream-input.js';
export { runEncoderStream } from './two-stream/encoder-stream.js';
export {
  evaluateStreamTrace,
  streamExitsFromTrace,
  streamOutputFromTrace,
  traceEncoderStream,
  type StreamTrace,
} from './two-stream/stream-trace.js';
export { encoderExitCosts, encoderStreamPolicy } from './two-stream/stream-policy.js';
export { similarityThresholds } from './two-stream/similarity-thresholds.js';
export { buildMemory, type HostMemory } from './two-stream/memory.js';
export { decodeWithExits } from './two-stream/decode.js';
export type { DecodeOptions, DecodeResult } from './two-stream/decode-options.js';
export { decoderExitCosts, decoderPolicy, decoderStepPolicies } from './two-stream/decoder-policy.js';
export { copiedStateCount } from './two-stream/copied-states.js';
export { decodeSelfSpeculative } from './speculative/self-speculative.js';
export { decodeFull } from './speculative/full-decoding.js';
export { acceptGreedy, acceptSampled, argmax, sampleIndex, type Verdict } from './speculative/acceptance.js';
export type { DecodeRun, SelfSpeculativeOptions, TokenChoice } from './speculative/decode-options.js';
export { decodeFullBatch, decodeSelfSpeculativeBatch } from './speculative/batch-decoding.js';
export type { BatchFeed, Fed, LmBatch, LmRuntime } from './runtime/lm-runtime.js';
export { tfjsLmRuntime } from './runtime/tfjs-runtime.js';
export { createOnnxLmRuntime, type OnnxLmRuntime, type OnnxLmRuntimeOptions } from './runtime/onnx-runtime.js';
