import type { GraphEntry, OnnxManifest } from './manifest.js';

/** One graph entry of a manifest and its field path (e.g. `manifest.stages[1]`). */
export interface FieldEntry {
  readonly field: string;
  readonly entry: GraphEntry;
}

/** Every graph entry of a manifest, in order: stages, heads, fused graphs, the full model. */
export function graphEntries(manifest: OnnxManifest): FieldEntry[] {
  return [
    ...manifest.stages.map((entry, l) => ({ field: `manifest.stages[${l}]`, entry })),
    ...manifest.heads.map((entry, l) => ({ field: `manifest.heads[${l}]`, entry })),
    ...manifest.fused.map((entry, l) => ({ field: `manifest.fused[${l}]`, entry })),
    { field: 'manifest.full', entry: manifest.full },
  ];
}

/** The manifest with every graph entry replaced by `change(entry, field)` (other fields of an entry kept). */
export function mapGraphEntries(manifest: OnnxManifest, change: (entry: GraphEntry, field: string) => GraphEntry): OnnxManifest {
  return {
    ...manifest,
    stages: manifest.stages.map((s, l) => ({ ...s, ...change(s, `manifest.stages[${l}]`) })),
    heads: manifest.heads.map((h, l) => ({ ...h, ...change(h, `manifest.heads[${l}]`) })),
    fused: manifest.fused.map((f, l) => ({ ...f, ...change(f, `manifest.fused[${l}]`) })),
    full: { ...manifest.full, ...change(manifest.full, 'manifest.full') },
  };
}
