export {
  entropyGraph,
  marginGraph,
  maxProbGraph,
  normalizedGraph,
  oneMinusGraph,
  powerEntropyGraph,
} from './probability-features.js';
export { fillRowsGraph, sigmoidGraph } from './sigmoid.js';
export { patienceGraph } from './patience-graph.js';
export { jeiGraph } from './jei-graph.js';
export { hiddenStateGraph } from './hidden-state-graph.js';
