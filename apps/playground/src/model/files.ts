/** Files of the page's model directory (public/model/, served as ./model/). */
export const MODEL_FILES = {
  /** The exported network's manifest (@offramp/onnx bundle); its graphs sit next to it. */
  manifest: 'manifest.json',
  /** Every exit's logits on the 2,000 test digits, and their labels (trace-file.ts). */
  trace: 'test-trace.bin',
  /** A few test digits to pick from, with their index in the test set (sample-file.ts). */
  samples: 'samples.bin',
} as const;
