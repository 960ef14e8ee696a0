import { ArgumentError, type Gate, type GateLowering } from '@offramp/core';
import { GraphBuilder } from '../graph-builder.js';
import type { BundleParts } from './bundle-parts.js';
import { argmaxRows, fillRows, flatFeatures, softmaxProbs } from './exit-signals.js';
import { inlinePart } from './inline.js';
import { typedValueInfo } from './value-info.js';

/** Everything the levels share: the parts, the gate and its thresholds. */
export interface LevelContext {
  readonly parts: BundleParts;
  readonly gate: Gate;
  readonly lowering: GateLowering;
  readonly thresholds: Float64Array;
  readonly exits: number;
  readonly classes: number;
}

/** A level's results for its rows, in their order: the names inside the level's graph. */
export interface LevelOutputs {
  readonly logits: string;
  readonly exit: string;
  readonly score: string;
  readonly prediction: string;
}

const OUTPUT_TYPES = [
  ['logits', 'float32'],
  ['exit', 'int32'],
  ['score', 'float32'],
  ['prediction', 'int32'],
] as const;

/** The head of exit `l` on the stage's features, its probabilities, and the gate's score there. */
function exitHere(ctx: LevelContext, b: GraphBuilder, l: number, h: string, state: string | undefined) {
  const logits = inlinePart(b, ctx.parts.heads[l]!, h, `head${l}`);
  const probs = softmaxProbs(b, logits);
  const feature = ctx.parts.features[l]!;
  const needs = ctx.gate.needs;
  const hidden = needs.includes('hidden') || needs.includes('similarity') ? flatFeatures(b, h, feature) : undefined;
  const lowered = ctx.lowering(b, {
    exit: l,
    exits: ctx.exits,
    classes: ctx.classes,
    logits,
    probs,
    ...(hidden ? { hidden, hiddenSize: feature.shape.reduce((a, d) => a * d, 1) } : {}),
    ...(state ? { state } : {}),
  });
  const last = l === ctx.exits - 1;
  if (!last && typeof lowered?.score !== 'string') {
    throw new ArgumentError({
      field: `gate ${JSON.stringify(ctx.gate.name)} onnx form at exit ${l}`,
      expected: 'a score tensor (one float32 per row)',
      received: lowered ? String(lowered.score) : String(lowered),
    });
  }
  const score = lowered?.score ?? fillRows(b, logits, Number.NaN, 'float32');
  return { logits, probs, score, state: lowered?.state };
}

/** The least float32 value >= t (t itself when it is one; +Infinity stays +Infinity). */
export function float32AtLeast(t: number): number {
  const rounded = Math.fround(t);
  if (rounded >= t) return rounded;
  const bits = new Float32Array([rounded]);
  const view = new Int32Array(bits.buffer);
  // One step up from a float32 below t: away from zero when positive, towards zero when negative.
  view[0] = rounded > 0 ? view[0]! + 1 : rounded < 0 ? view[0]! - 1 : 1;
  return bits[0]!;
}

/**
 * Builds stage `l` and everything after it into `b` for the rows `x`: the stage, its head, the
 * gate's score and the threshold test; then, in an If, only when some rows stay, the stages after
 * it on those rows alone (Compress), their results written back over this exit's (ScatterND).
 */
export function buildLevel(ctx: LevelContext, b: GraphBuilder, l: number, x: string, state: string | undefined): LevelOutputs {
  const h = inlinePart(b, ctx.parts.stages[l]!, x, `stage${l}`);
  const here = exitHere(ctx, b, l, h, state);
  const own: LevelOutputs = {
    logits: here.logits,
    exit: fillRows(b, here.logits, l, 'int32'),
    score: here.score,
    prediction: argmaxRows(b, here.probs),
  };
  if (l === ctx.exits - 1) return own;

  // The score is float32: score >= t exactly when score >= the least float32 not below t.
  const threshold = b.constant(float32AtLeast(ctx.thresholds[l]!), 'float32');
  const leave = b.node('GreaterOrEqual', [here.score, threshold]);
  const stay = b.node('Not', [leave]);
  const staying = b.node('ReduceSum', [b.cast(stay, 'int64')], { keepdims: { int: 0 } });
  const any = b.node('Greater', [staying, b.constant(0, 'int64')]);

  const rest = new GraphBuilder(`${b.prefix}/rest${l + 1}`);
  const rows = rest.node('Transpose', [rest.node('NonZero', [stay])], { perm: { ints: [1, 0] } });
  const xs = rest.node('Compress', [h, stay], { axis: { int: 0 } });
  const ss = here.state ? rest.node('Compress', [here.state, stay], { axis: { int: 0 } }) : undefined;
  const inner = buildLevel(ctx, rest, l + 1, xs, ss);
  const merged = OUTPUT_TYPES.map(([key, type]) =>
    typedValueInfo(rest.node('ScatterND', [own[key], rows, inner[key]]), type),
  );

  const keep = new GraphBuilder(`${b.prefix}/keep${l + 1}`);
  const kept = OUTPUT_TYPES.map(([key, type]) => typedValueInfo(keep.node('Identity', [own[key]]), type));

  const outputs = b.nodeOutputs(
    'If',
    [any],
    {
      then_branch: { graph: rest.toGraph(`rest${l + 1}`, [], merged) },
      else_branch: { graph: keep.toGraph(`keep${l + 1}`, [], kept) },
    },
    OUTPUT_TYPES.length,
  );
  return { logits: outputs[0]!, exit: outputs[1]!, score: outputs[2]!, prediction: outputs[3]! };
}
