export { renderVegaLiteSvg, type TopLevelSpec } from './render.js';
export {
  xyChartSvg,
  type AxisOptions,
  type XyChartOptions,
  type XyMarker,
  type XyPoint,
  type XySeries,
} from './xy-chart.js';
