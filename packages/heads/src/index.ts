export type { TfModule } from './tf-module.js';
export type { PoolKind } from './pooling.js';
export type { HeadOptions } from './head-options.js';
export { createLinearHead, type LinearHeadOptions } from './linear-head.js';
export { createMlpHead, type MlpHeadOptions } from './mlp-head.js';
export { checkVariableNameFree, glorotVariable, zerosVariable } from './seeded-variables.js';
export { attachLayers, describeLayers, type LayerDescription } from './layer-description.js';
export {
  createHeadRegistry,
  linearHeadPlugin,
  mlpHeadPlugin,
  type HeadContext,
  type HeadPlugin,
  type HeadRegistry,
} from './head-plugins.js';
