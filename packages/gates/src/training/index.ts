export { uncertaintyFeaturesTensor } from './features-tensor.js';
export { exitDistributionTensor } from './exit-distribution-tensor.js';
export { createJeiGates, type JeiGateOutputs, type JeiGates, type JeiGatesOptions } from './jei-gates.js';
export { createHiddenStateGates, type HiddenStateGates, type HiddenStateGatesOptions } from './hidden-state-gates.js';
