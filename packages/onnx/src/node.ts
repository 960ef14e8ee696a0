export { BUNDLE_LOCK_FILE, MANIFEST_FILE } from './bundle-files.js';
export { readOnnxBundle } from './bundle-read.js';
export { upgradeOnnxBundle } from './bundle-upgrade.js';
export { writeOnnxBundle } from './bundle-write.js';

export {
  accuracyOf,
  clock,
  compiledPass,
  earlyExitPass,
  fullModelPass,
  fusedChainPass,
  mean,
  type Pass,
  pooledEarlyExitPass,
} from './timed-passes.js';
