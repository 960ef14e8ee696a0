export { renderVegaLiteSvg, type TopLevelSpec } from './render.js';
export {
  xyChartSvg,
  type AxisOptions,
  type XyChartOptions,
  type XyMarker,
  type XyPoint,
  type XySeries,
} from './xy-chart.js';
export {
  reliabilityDiagramSvg,
  type ReliabilityBinInput,
  type ReliabilityDiagramOptions,
  type ReliabilityPanel,
} from './reliability-diagram.js';
