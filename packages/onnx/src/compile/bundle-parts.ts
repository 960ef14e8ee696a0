import { InputShapeError } from '@offramp/core';
import type { OnnxBundle } from '../bundle.js';
import { checkManifest, type GraphEntry, type OnnxManifest } from '../manifest.js';
import { MissingTensorError, OnnxModelError } from '../errors.js';
import type { FeatureSpec } from '../feature.js';
import { decodeModel, type ModelProto, onnx, type ValueInfoProto } from '../proto.js';
import type { InlinePart } from './inline.js';

/** The default-domain opsets a bundle's graphs may declare; the compiled model imports the highest. */
export const MIN_PART_OPSET = 13;
export const COMPILED_OPSET = 17;

/** The decoded stage and head graphs of a bundle, checked to fit together. */
export interface BundleParts {
  readonly manifest: OnnxManifest;
  readonly stages: readonly InlinePart[];
  readonly heads: readonly InlinePart[];
  readonly features: readonly FeatureSpec[];
  /** Opsets of other domains the parts use (e.g. com.microsoft), to import in the compiled model. */
  readonly extraOpsets: ReadonlyMap<string, number>;
}

const shapeText = (shape: readonly (number | undefined)[]) => `[${shape.map((d) => d ?? '?').join(', ')}]`;

/** Per-sample dims of a value (after the batch axis); undefined where a dim is symbolic or missing. */
function sampleDims(info: ValueInfoProto): (number | undefined)[] | undefined {
  const dims = info.type?.tensorType?.shape?.dim;
  if (!dims) return undefined;
  return dims.slice(1).map((d) => (d.dimValue !== undefined && d.dimValue !== null && Number(d.dimValue) > 0 ? Number(d.dimValue) : undefined));
}

function checkShape(
  info: ValueInfoProto,
  expected: readonly number[],
  field: string,
  what: string,
  where: string,
): void {
  const elemType = info.type?.tensorType?.elemType;
  if (elemType !== undefined && elemType !== null && elemType !== onnx.TensorProto.DataType.FLOAT) {
    throw new InputShapeError({ field, expected: `a float32 tensor (${what})`, received: `element type ${elemType} (${where})` });
  }
  const dims = sampleDims(info);
  if (!dims) return;
  const fits = dims.length === expected.length && dims.every((d, i) => d === undefined || d === expected[i]);
  if (!fits) {
    throw new InputShapeError({
      field,
      expected: `per-sample shape [${expected.join(', ')}] (${what})`,
      received: `${shapeText(dims)} (${where})`,
    });
  }
}

function opsets(model: ModelProto, field: string, extra: Map<string, number>): void {
  for (const opset of model.opsetImport ?? []) {
    const domain = opset.domain ?? '';
    const version = Number(opset.version ?? 0);
    if (domain === '' || domain === 'ai.onnx') {
      if (version < MIN_PART_OPSET || version > COMPILED_OPSET) {
        throw new OnnxModelError({
          field: `${field}.opsetImport`,
          expected: `default-domain opset ${MIN_PART_OPSET} to ${COMPILED_OPSET} (the compiled graph uses opset ${COMPILED_OPSET})`,
          received: `opset ${version}`,
        });
      }
    } else {
      extra.set(domain, Math.max(extra.get(domain) ?? 0, version));
    }
  }
}

function openPart(bundle: OnnxBundle, entry: GraphEntry, field: string, extra: Map<string, number>) {
  const bytes = bundle.files[entry.file];
  const fileField = `files[${JSON.stringify(entry.file)}]`;
  if (!bytes) {
    throw new OnnxModelError({ field: fileField, expected: `the bytes of the graph ${field} names`, received: 'nothing' });
  }
  const model = decodeModel(bytes, fileField);
  opsets(model, fileField, extra);
  const graph = model.graph!;
  const input = (graph.input ?? []).find((v) => v.name === entry.input);
  if (!input) {
    throw new MissingTensorError(entry.input, `${field}.input`, (graph.input ?? []).map((v) => v.name ?? ''));
  }
  const outputName = entry.outputs[0]!;
  const output = (graph.output ?? []).find((v) => v.name === outputName);
  if (!output) {
    throw new MissingTensorError(outputName, `${field}.outputs[0]`, (graph.output ?? []).map((v) => v.name ?? ''));
  }
  return { part: { model, input: entry.input, output: outputName }, input, output, file: entry.file };
}

/**
 * Decodes a bundle's stage and head graphs and checks that they fit: stage l reads what stage l - 1
 * writes (stage 0 the input), head l reads stage l's features, and every head writes [classes]
 * logits. Dims a graph leaves symbolic are not checked. Errors name the manifest field.
 */
export function openBundleParts(bundle: OnnxBundle): BundleParts {
  const manifest = checkManifest(bundle.manifest);
  const extra = new Map<string, number>();
  const features = manifest.stages.map((s) => s.feature);
  const stages = manifest.stages.map((entry, l) => {
    const field = `manifest.stages[${l}]`;
    const opened = openPart(bundle, entry, field, extra);
    const expectedIn = l === 0 ? manifest.inputShape : features[l - 1]!.shape;
    const source = l === 0 ? 'manifest.inputShape' : `the features of manifest.stages[${l - 1}]`;
    checkShape(opened.input, expectedIn, `${field}.input`, source, `the input of ${opened.file}`);
    checkShape(opened.output, features[l]!.shape, `${field}.feature.shape`, `${field}.feature.shape`, `the output of ${opened.file}`);
    return opened.part;
  });
  const heads = manifest.heads.map((entry, l) => {
    const field = `manifest.heads[${l}]`;
    const opened = openPart(bundle, entry, field, extra);
    checkShape(opened.input, features[l]!.shape, `${field}.input`, `the features of manifest.stages[${l}]`, `the input of ${opened.file}`);
    checkShape(opened.output, [manifest.classes], `${field}.outputs[0]`, 'logits of manifest.classes classes', `the output of ${opened.file}`);
    return opened.part;
  });
  return { manifest, stages, heads, features, extraOpsets: extra };
}
