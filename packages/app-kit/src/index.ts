export {
  listOf,
  numberAtLeast,
  numberIn,
  oneOf,
  OptionValueError,
  positiveInt,
  wholeNumber,
  type OptionParser,
} from './option-parsers.js';
export { appDirectory } from './app-directory.js';
export { replaceMarkedSection, sectionMarkers, updateMarkedSection } from './marked-section.js';
export { CommandLineError } from './command-line-error.js';
export {
  addCommonOptions,
  type CommonOptionDeclarations,
  type CommonOptionsOf,
  type CommonOptionValues,
  type HelpText,
  type SeedDeclaration,
} from './common-options.js';
export {
  cliCommand,
  runCli,
  type CliCommand,
  type CliCommandSpec,
  type CliContext,
  type CliIo,
  type CliOutcome,
  type CliProgram,
  type CliSession,
  type CliSubcommandSpec,
} from './run-cli.js';
