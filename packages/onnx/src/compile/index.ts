export {
  compileEarlyExit,
  type CompiledEarlyExitModel,
  type CompiledIo,
  type CompileOptions,
  type CompilePolicy,
} from './compile-early-exit.js';
export { CompiledEarlyExit, type CompiledResult } from './compiled-runner.js';
export { readCompiledModel } from './read-compiled.js';
