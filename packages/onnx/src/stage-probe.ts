import { OnnxModelError } from './errors.js';
import type { FeatureSpec } from './feature.js';
import type { LayoutSource } from './graph-layout.js';
import { probeInput, probeSession } from './probe.js';
import { runSession } from './run-session.js';
import type { OrtRuntime, OrtSessionOptions, OrtTensor } from './runtime.js';
import { layoutMismatchError, shapeMismatchError } from './exit-mismatch.js';

/** A stage graph to probe: its one input and output, and the feature spec its output is declared with. */
export interface ProbedStage {
  readonly model: Uint8Array;
  readonly input: string;
  readonly output: string;
  readonly feature: FeatureSpec;
  /** Where errors about this stage's spec point, e.g. `exits[1]` or `stages[1]`. */
  readonly field: string;
  /** The layout the graph gives the output, where it can be told (see tensorLayout). */
  readonly graphLayout?: LayoutSource;
}

/** Samples in the probe batch: two, so a graph that mixes the batch axis into the features shows it. */
const PROBE_BATCH = 2;

/**
 * Runs the stage graphs one after another on a seeded probe batch (uniform in [0, 1) of `inputShape`) and
 * checks each output against its declared feature spec before it is fed to the next stage: the batch
 * axis first, float32, the declared per-sample shape, and the declared layout where the graph tells it.
 * A mismatch is an OnnxModelError naming the stage's `field` (`exits[1].shape`, `exits[1].layout`, ...).
 */
export async function probeStages(
  runtime: OrtRuntime,
  inputShape: readonly number[],
  stages: readonly ProbedStage[],
  sessionOptions: OrtSessionOptions = {},
): Promise<void> {
  let x: OrtTensor = new runtime.Tensor('float32', probeInput(inputShape, PROBE_BATCH), [PROBE_BATCH, ...inputShape]);
  try {
    for (const stage of stages) {
      const session = await probeSession(runtime, stage.model, `${stage.field}.tensor`, sessionOptions);
      let y: OrtTensor;
      try {
        const result = await runSession(session, { [stage.input]: x }, [stage.output], `${stage.field} (probe run of its stage)`);
        y = result[stage.output]!;
      } finally {
        await session.release();
      }
      x.dispose?.();
      x = y;
      checkOutput(stage, y);
    }
  } finally {
    x.dispose?.();
  }
}

function checkOutput(stage: ProbedStage, y: OrtTensor): void {
  const dims = [...y.dims];
  if (dims.length < 2 || dims[0] !== PROBE_BATCH) {
    throw new OnnxModelError({
      field: `${stage.field}.tensor`,
      expected: `a tensor whose first axis is the batch (${PROBE_BATCH} for the probe batch) followed by the features`,
      received: `${JSON.stringify(stage.output)} of shape [${dims.join(', ')}]`,
    });
  }
  if (y.type !== 'float32') {
    throw new OnnxModelError({
      field: `${stage.field}.tensor`,
      expected: 'float32 features',
      received: `${JSON.stringify(stage.output)} of type ${y.type}`,
    });
  }
  const actual = dims.slice(1);
  const declared = stage.feature;
  if (actual.length !== declared.shape.length || actual.some((d, i) => d !== declared.shape[i])) {
    throw shapeMismatchError(stage.field, stage.output, declared, actual, stage.graphLayout);
  }
  if (actual.length === 3 && stage.graphLayout && declared.layout !== stage.graphLayout.layout) {
    throw layoutMismatchError(stage.field, stage.output, declared, stage.graphLayout);
  }
}
