import { OnnxRunError } from './errors.js';
import type { OrtSession, OrtTensor } from './runtime.js';

/**
 * One run of a session; an onnxruntime failure becomes an OnnxRunError whose field names the graph and what it
 * was running for (e.g. `stage 2 (fused2.onnx)`), with onnxruntime's message as what was received.
 */
export async function runSession(
  session: OrtSession,
  feeds: Record<string, OrtTensor>,
  fetches: string[],
  what: string,
): Promise<Record<string, OrtTensor>> {
  try {
    return await session.run(feeds, fetches);
  } catch (error) {
    throw new OnnxRunError({
      field: what,
      expected: `a run of the graph (inputs ${Object.keys(feeds).join(', ')}; outputs ${fetches.join(', ')})`,
      received: `an onnxruntime error: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
}
