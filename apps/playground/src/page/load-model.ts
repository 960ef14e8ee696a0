import { checkManifest, type OnnxBundle } from '@offramp/onnx/browser';
import { ModelFileError } from '../errors.js';
import { MODEL_FILES } from '../model/files.js';
import { decodeSamples, type SampleImages } from '../model/sample-file.js';
import { decodeTrace, type LabelledTrace } from '../model/trace-file.js';

/** Everything the page loads: the exported network, the test trace and the sample digits. */
export interface PageModel extends LabelledTrace {
  readonly bundle: OnnxBundle;
  readonly samples: SampleImages;
}

export type FetchBytes = (url: string) => Promise<Uint8Array>;

/** fetch() as bytes, failing with the URL and status named. */
export const fetchBytes: FetchBytes = async (url) => {
  const response = await fetch(url);
  if (!response.ok) {
    throw new ModelFileError({ field: url, expected: 'a file the server has (run the prepare command)', received: `HTTP ${response.status}` });
  }
  return new Uint8Array(await response.arrayBuffer());
};

/** Loads the model directory at `base` (e.g. "./model/"). */
export async function loadPageModel(base: string, get: FetchBytes = fetchBytes): Promise<PageModel> {
  const text = new TextDecoder().decode(await get(`${base}${MODEL_FILES.manifest}`));
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ModelFileError({ field: MODEL_FILES.manifest, expected: 'valid JSON', received: error instanceof Error ? error.message : String(error) });
  }
  const manifest = checkManifest(raw);
  const names = [...manifest.stages, ...manifest.heads, ...manifest.fused, manifest.full].map((g) => g.file);
  const [traceBytes, sampleBytes, ...graphs] = await Promise.all([
    get(`${base}${MODEL_FILES.trace}`),
    get(`${base}${MODEL_FILES.samples}`),
    ...names.map((name) => get(`${base}${name}`)),
  ]);
  const files = Object.fromEntries(names.map((name, i) => [name, graphs[i]!]));
  const { trace, labels } = decodeTrace(traceBytes!);
  if (trace.exits !== manifest.exits || trace.classes !== manifest.classes) {
    throw new ModelFileError({
      field: MODEL_FILES.trace,
      expected: `${manifest.exits} exits and ${manifest.classes} classes (as the manifest says)`,
      received: `${trace.exits} exits and ${trace.classes} classes`,
    });
  }
  return { bundle: { manifest, files }, trace, labels, samples: decodeSamples(sampleBytes!) };
}
