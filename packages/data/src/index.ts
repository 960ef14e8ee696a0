export { classCounts, createImageDataset, type ImageDataset } from './dataset.js';
export { loadDigitFolder, loadMnistDigits, MNIST_DIGITS_SPLIT, mnistDigitsFolder } from './mnist.js';
export { splitDataset, type DatasetSplit, type SplitOptions } from './split.js';
export { subsetDataset } from './subset.js';
export { batches, countBatches, epochSeed, type Batch, type BatchOptions } from './batches.js';
export { loadSotuAddresses, splitDocuments, type AddressSplit, type AddressSplitOptions, type SotuAddress } from './sotu.js';
export { pretokenize } from './bpe-pretokenize.js';
export { BPE_END_OF_TEXT, BPE_SPECIALS, BPE_UNKNOWN, BpeTokenizer, type BpeTokenizerJson } from './bpe-tokenizer.js';
export { trainBpe, type BpeTrainOptions } from './bpe-train.js';
export { FASHION_IMAGE_SIZE, parseClothesFile, type ParsedClothes } from './clothes-file.js';
export { decodeRawClothes, encodeRawClothes, type RawClothes } from './clothes-cache.js';
export {
  clothesDataset,
  FASHION_MNIST_CLASSES,
  fashionMnistFolder,
  loadFashionMnistRaw,
  parseClothesFolder,
  sampleClothes,
  type FashionMnistOptions,
} from './fashion-mnist.js';
export {
  DIGIT_WORDS,
  VL_BOS,
  VL_EOS,
  VL_PAD,
  VL_VOCABULARY,
  WordVocabulary,
} from './vision-language/vocabulary.js';
export { CAPTION_PROMPT, CLAIM_KINDS, captionOf, claimsAbout, type Claim, type ClaimKind } from './vision-language/claims.js';
export {
  captionSet,
  entailmentSet,
  type EntailmentOptions,
  VL_IGNORE,
  type TaskSetOptions,
  type VisionLanguageSet,
} from './vision-language/task-set.js';
