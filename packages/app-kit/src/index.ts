export {
  listOf,
  numberAtLeast,
  numberIn,
  oneOf,
  positiveInt,
  wholeNumber,
  type OptionParser,
} from './option-parsers.js';
export { appDirectory } from './app-directory.js';
export { replaceMarkedSection, sectionMarkers, updateMarkedSection } from './marked-section.js';
