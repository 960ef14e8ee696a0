import { OnnxModelError } from './errors.js';
import type { FeatureLayout, FeatureSpec } from './feature.js';
import type { LayoutSource, MapLayout } from './graph-layout.js';

const show = (shape: readonly number[]): string => `[${shape.join(', ')}]`;
const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** The other map layout when `actual` is the declared rank-3 shape with its axes in that layout's order. */
function transposedLayout(declared: FeatureSpec, actual: readonly number[]): MapLayout | undefined {
  if (declared.shape.length !== 3 || actual.length !== 3) return undefined;
  const [a, b, c] = declared.shape as [number, number, number];
  if (declared.layout === 'NHWC' && same(actual, [c, a, b])) return 'NCHW';
  if (declared.layout === 'NCHW' && same(actual, [b, c, a])) return 'NHWC';
  return undefined;
}

/** The layout a feature of shape `actual` has, when the graph or the declared spec tells it. */
function matchingLayout(declared: FeatureSpec, actual: readonly number[], graph: LayoutSource | undefined): FeatureLayout | undefined {
  if (actual.length === 1) return 'flat';
  if (actual.length !== 3) return 'NHWC'; // the only layout of other ranks: the head sees the tensor as it is
  if (graph) return graph.layout;
  const transposed = transposedLayout(declared, actual);
  if (transposed) return transposed;
  return declared.layout === 'flat' ? undefined : declared.layout;
}

/** Why a rank-3 map has the layout the graph gives it, in words. */
function layoutReason(source: LayoutSource): string {
  const order = source.layout === 'NCHW' ? 'channels-first' : 'channels-last';
  const node = source.node ? ` ${JSON.stringify(source.node)}` : '';
  return `the graph computes it ${order} (from ${source.from}${node})`;
}

/**
 * The error for an exit whose declared shape is not the one the probe run gave: names `${field}.shape`, the
 * declared and the actual shape, and says which spec would match (with the layout where it can be told).
 */
export function shapeMismatchError(
  field: string,
  tensor: string,
  declared: FeatureSpec,
  actual: readonly number[],
  graph: LayoutSource | undefined,
): OnnxModelError {
  const layout = matchingLayout(declared, actual, graph);
  const transposed = transposedLayout(declared, actual);
  const notes = [
    ...(transposed ? [`${show(actual)} is the ${declared.layout} ${show(declared.shape)} in ${transposed} order`] : []),
    ...(graph && actual.length === 3 ? [layoutReason(graph)] : []),
  ].join(', and ');
  const advice = layout
    ? `declare { shape: ${show(actual)}, layout: '${layout}' }`
    : `declare { shape: ${show(actual)}, layout: 'NCHW' } if its first axis holds the channels, or 'NHWC' if its last does`;
  const hint = notes ? `${notes}: ${advice}` : advice;
  return new OnnxModelError(
    {
      field: `${field}.shape`,
      expected: `${show(actual)}, the per-sample shape the graph gives for ${JSON.stringify(tensor)}`,
      received: `${show(declared.shape)} (declared with layout '${declared.layout}')`,
    },
    hint,
  );
}

/** The error for an exit whose shape matches but whose layout is not the one the graph computes. */
export function layoutMismatchError(field: string, tensor: string, declared: FeatureSpec, graph: LayoutSource): OnnxModelError {
  const shape = show(declared.shape);
  const axes: Record<MapLayout, string> = { NCHW: '[C, H, W]', NHWC: '[H, W, C]' };
  return new OnnxModelError(
    {
      field: `${field}.layout`,
      expected: `'${graph.layout}': ${layoutReason(graph)}, so ${shape} is ${axes[graph.layout]}`,
      received: `'${declared.layout}'`,
    },
    `declare { shape: ${shape}, layout: '${graph.layout}' }; with '${declared.layout}' the heads would read ${JSON.stringify(tensor)}'s features mis-ordered`,
  );
}
