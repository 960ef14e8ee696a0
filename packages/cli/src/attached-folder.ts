import { join } from 'node:path';
import type { ExitPolicy } from '@offramp/core';
import { builtinGateRegistry } from '@offramp/gates';
import { CompiledEarlyExit, loadNodeRuntime, type OnnxBundle, OnnxEngine, type OrtSessionOptions, policyFromManifest } from '@offramp/onnx';
import { readOnnxBundle } from '@offramp/onnx/node';
import { readUserFile } from './model-file.js';

/** The output folder of `offramp attach`, opened: the bundle's engine, its certified policy and the compiled graph. */
export interface AttachedModel {
  readonly bundle: OnnxBundle;
  readonly policy: ExitPolicy;
  readonly engine: OnnxEngine;
  readonly compiled: CompiledEarlyExit;
  release(): Promise<void>;
}

/** Opens `dir` (manifest.json, the graphs, early-exit.onnx) on onnxruntime-node; a missing file is a typed error (`field` for early-exit.onnx). */
export async function openAttached(dir: string, field: string, sessionOptions?: OrtSessionOptions): Promise<AttachedModel> {
  const bundle = await readOnnxBundle(dir);
  const policy = policyFromManifest(bundle.manifest, builtinGateRegistry());
  const graph = await readUserFile(join(dir, 'early-exit.onnx'), field);
  const runtime = await loadNodeRuntime();
  const options = sessionOptions ? { sessionOptions } : {};
  const engine = await OnnxEngine.create(runtime, bundle, options);
  const compiled = await CompiledEarlyExit.create(runtime, graph, sessionOptions);
  return {
    bundle,
    policy,
    engine,
    compiled,
    release: async () => {
      await compiled.release();
      await engine.release();
    },
  };
}
