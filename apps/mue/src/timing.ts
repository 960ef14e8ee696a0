import type { TwoStreamModel } from '@offramp/backbones';
import type { Gate } from '@offramp/core';
import type { VisionLanguageSet } from '@offramp/data';
import { buildMemory, type DecodeOptions, decodeWithExits } from '@offramp/sequence';
import { decodeSettings, type Policy } from './policy.js';
import { runStreams, type StreamPolicies, streamPolicies } from './streams.js';

/** What real early exit gave, one sample at a time, for each policy. */
export interface Timing {
  /** Mean wall-clock milliseconds per sample (streams, memory, decoding). */
  readonly msPerSample: number[];
  /** Mean MACs per sample counted by the real runs. */
  readonly macs: number[];
  /** Per policy: the image, text and decoder exits of the real runs, in sample order. */
  readonly exits: { image: Int32Array; text: Int32Array; decoder: Int32Array[] }[];
}

/** A policy fixed for the runners: the streams' exit policies and the decoding settings with real exit. */
interface RunSettings {
  readonly streams: StreamPolicies;
  readonly decode: DecodeOptions;
}

function runSettings(model: TwoStreamModel, set: VisionLanguageSet, gate: Gate, policy: Policy): RunSettings {
  return { streams: streamPolicies(model, gate, policy), decode: { ...decodeSettings(model, set, gate, policy), mode: 'real' } };
}

/**
 * Runs the first `count` samples of `set` one at a time (batch 1, the latency setting of the paper) with REAL
 * early exit for every policy: skipped layers are not computed. The policies take turns sample by sample (in a
 * rotating order), so a load change on a shared machine hits them alike. One warm-up pass comes first.
 */
export async function timePolicies(model: TwoStreamModel, set: VisionLanguageSet, gate: Gate, policies: readonly Policy[], count: number): Promise<Timing> {
  const n = Math.min(count, set.n);
  const total = policies.map(() => 0);
  const macs = policies.map(() => 0);
  const exits = policies.map(() => ({ image: new Int32Array(n), text: new Int32Array(n), decoder: [] as Int32Array[] }));
  const settings = policies.map((policy) => runSettings(model, set, gate, policy));
  const runOne = async (i: number, p: number): Promise<void> => {
    const { streams: policy, decode } = settings[p]!;
    const image = { stream: 'image' as const, n: 1, pixels: set.images.subarray(i * 784, (i + 1) * 784) };
    const tokens = set.text.subarray(i * set.textLength, (i + 1) * set.textLength);
    const text = { stream: 'text' as const, n: 1, tokens };
    const started = performance.now();
    const streams = await runStreams(model, { image, text }, policy);
    const memory = buildMemory(model, streams.image, streams.text, Float32Array.from(tokens, (t) => (t === 0 ? 0 : 1)));
    const decoded = await decodeWithExits(model, memory, decode);
    const elapsed = performance.now() - started;
    total[p]! += elapsed;
    macs[p]! += streams.image.macs[0]! + streams.text.macs[0]! + decoded.macs[0]!;
    exits[p]!.image[i] = streams.image.exit[0]!;
    exits[p]!.text[i] = streams.text.exit[0]!;
    exits[p]!.decoder[i] = Int32Array.from(decoded.exits.filter((e) => e >= 0));
  };
  for (const s of settings) await warmUp(model, set, s);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < policies.length; k++) await runOne(i, (i + k) % policies.length);
  }
  return { msPerSample: total.map((t) => t / n), macs: macs.map((m) => m / n), exits };
}

/** One untimed sample per policy, so kernels are compiled and caches warm before timing. */
async function warmUp(model: TwoStreamModel, set: VisionLanguageSet, settings: RunSettings): Promise<void> {
  const tokens = set.text.subarray(0, set.textLength);
  const streams = await runStreams(
    model,
    { image: { stream: 'image', n: 1, pixels: set.images.subarray(0, 784) }, text: { stream: 'text', n: 1, tokens } },
    settings.streams,
  );
  const memory = buildMemory(model, streams.image, streams.text, Float32Array.from(tokens, (t) => (t === 0 ? 0 : 1)));
  await decodeWithExits(model, memory, settings.decode);
}
