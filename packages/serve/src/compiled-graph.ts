import { ArgumentError, type ExitPolicy, GateNotCompilableError } from '@offramp/core';
import {
  CompiledEarlyExit,
  type CompiledEarlyExitModel,
  compileEarlyExit,
  type OnnxBundle,
  type OrtRuntime,
  type OrtSessionOptions,
} from '@offramp/onnx';

/** An exit policy compiled into one ONNX model, and the onnxruntime session that runs it. */
export interface CompiledGraph {
  /** The policy the graph was compiled from (its costs price the answers). */
  readonly policy: ExitPolicy;
  readonly model: CompiledEarlyExitModel;
  /** The session, opened on the first call; later calls share it. */
  session(): Promise<CompiledEarlyExit>;
}

/**
 * Compiles the exit policies of one bundle, each once (by identity), and keeps their sessions until
 * released. Nothing is compiled until a policy is asked for, so serving the other policies costs
 * nothing; asking for a policy whose gate has no ONNX form throws core's GateNotCompilableError
 * (named `gateField`), and every later ask for it throws the same.
 */
export class PolicyCompiler {
  readonly #bundle: OnnxBundle;
  readonly #runtime: OrtRuntime;
  readonly #sessionOptions: OrtSessionOptions | undefined;
  readonly #gateField: string;
  readonly #graphs = new Map<ExitPolicy, CompiledGraph | Error>();
  readonly #sessions: Promise<CompiledEarlyExit>[] = [];
  #released = false;

  constructor(bundle: OnnxBundle, runtime: OrtRuntime, sessionOptions?: OrtSessionOptions, gateField = 'manifest.policy.gate') {
    this.#bundle = bundle;
    this.#runtime = runtime;
    this.#sessionOptions = sessionOptions;
    this.#gateField = gateField;
  }

  /** The graph of `policy`, compiled on the first ask. */
  compile(policy: ExitPolicy): CompiledGraph {
    let graph = this.#graphs.get(policy);
    if (graph === undefined) {
      try {
        graph = this.#graphOf(policy, compileEarlyExit(this.#bundle, policy));
      } catch (error) {
        if (!(error instanceof Error)) throw error;
        graph = error instanceof GateNotCompilableError ? new GateNotCompilableError(error.gate, this.#gateField) : error;
      }
      this.#graphs.set(policy, graph);
    }
    if (graph instanceof Error) throw graph;
    return graph;
  }

  /** Releases every session opened (sessions that failed to open are skipped). */
  async release(): Promise<void> {
    this.#released = true;
    const sessions = this.#sessions.splice(0);
    const opened = await Promise.allSettled(sessions);
    for (const s of opened) if (s.status === 'fulfilled') await s.value.release();
  }

  #graphOf(policy: ExitPolicy, model: CompiledEarlyExitModel): CompiledGraph {
    let session: Promise<CompiledEarlyExit> | undefined;
    return {
      policy,
      model,
      session: () => {
        if (session === undefined) {
          if (this.#released) {
            return Promise.reject(new ArgumentError({ field: 'model', expected: 'a served model not yet released', received: 'a released one' }));
          }
          session = CompiledEarlyExit.create(this.#runtime, model, this.#sessionOptions);
          this.#sessions.push(session);
        }
        return session;
      },
    };
  }
}
