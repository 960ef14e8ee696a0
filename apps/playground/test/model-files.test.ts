import { computeExitCosts, evaluateTrace, softmaxRows, type Trace } from '@offramp/core';
import { maxProbGate } from '@offramp/gates';
import { describe, expect, it } from 'vitest';
import { ModelFileError } from '../src/errors.js';
import { decodeSamples, encodeSamples, sampleImage } from '../src/model/sample-file.js';
import { decodeTrace, encodeTrace } from '../src/model/trace-file.js';
import { loadPageModel } from '../src/page/load-model.js';
import { pickSamples } from '../src/prepare/pick-samples.js';
import { loadCommittedModel, readModelFile } from './committed-model.js';

const logits = [Float32Array.from([1, 2, 3, -1, 0.5, 0]), Float32Array.from([0, 0, 9, 1, 1, 1])];
const trace: Trace = { n: 2, exits: 2, classes: 3, logits, probs: logits.map((z) => softmaxRows(z, 3)) };

describe('trace file', () => {
  it('round-trips logits and labels and recomputes the probabilities', () => {
    const bytes = encodeTrace({ trace, labels: Int32Array.from([2, 0]) });
    expect(bytes.length).toBe(20 + 2 + 2 * 6 * 4);
    const back = decodeTrace(bytes);
    expect(back.trace.logits.map((z) => Array.from(z))).toEqual(logits.map((z) => Array.from(z)));
    expect(Array.from(back.trace.probs[1]!)).toEqual(Array.from(trace.probs[1]!));
    expect(Array.from(back.labels)).toEqual([2, 0]);
  });

  it('names what is wrong with a bad file', () => {
    const bytes = encodeTrace({ trace, labels: Int32Array.from([2, 0]) });
    expect(() => decodeTrace(bytes.subarray(0, bytes.length - 4))).toThrow(/logits of exit 1: expected 24 more bytes/);
    const magic = Uint8Array.from(bytes);
    magic[0] = 88;
    expect(() => decodeTrace(magic)).toThrow(ModelFileError);
    const label = Uint8Array.from(bytes);
    label[20] = 7;
    expect(() => decodeTrace(label)).toThrow(/labels\[0\]: expected a class in \[0, 2\], received 7/);
    expect(() => decodeTrace(Uint8Array.from([...bytes, 0]))).toThrow(/length/);
    expect(() => encodeTrace({ trace, labels: Int32Array.from([3, 0]) })).toThrow(/labels\[0\]/);
  });
});

describe('sample file', () => {
  it('round-trips picked samples and reads them back as grey levels', () => {
    const pixels = Uint8Array.from({ length: 6 * 4 }, (_, i) => i * 10);
    const labels = Int32Array.from([1, 0, 1, 0, 0, 1]);
    const picked = pickSamples(pixels, labels, 4, 2, 2);
    expect(Array.from(picked.indices)).toEqual([1, 3, 0, 2]);
    expect(Array.from(picked.labels)).toEqual([0, 0, 1, 1]);
    const back = decodeSamples(encodeSamples(picked));
    expect(Array.from(back.pixels.subarray(0, 4))).toEqual([40, 50, 60, 70]);
    expect(Array.from(sampleImage(back, 0))).toEqual([40, 50, 60, 70].map((b) => Math.fround(b / 255)));
    expect(() => sampleImage(back, 4)).toThrow(/sample: expected an index in \[0, 3\]/);
    expect(() => pickSamples(pixels, labels, 4, 2, 4)).toThrow(/samples of class 0/);
  });
});

describe('the committed model directory', () => {
  it('holds the network, the 2,000-digit test trace and 40 sample digits that agree with it', async () => {
    const model = await loadCommittedModel();
    expect(model.bundle.manifest.exits).toBe(3);
    expect(model.trace.n).toBe(2000);
    expect(model.samples.count).toBe(40);
    const gate = maxProbGate.create({}, { exits: 3, classes: 10 });
    const costs = computeExitCosts({ stageMacs: model.bundle.manifest.macs.stages, headMacs: model.bundle.manifest.macs.heads });
    const result = evaluateTrace(model.trace, gate, 1, costs);
    let correct = 0;
    for (let i = 0; i < model.trace.n; i++) if (result.prediction[i] === model.labels[i]) correct++;
    expect(correct / model.trace.n).toBeGreaterThan(0.95);
    model.samples.indices.forEach((index, k) => {
      expect(model.labels[index]).toBe(model.samples.labels[k]);
    });
  });

  it('fails clearly when the trace does not fit the manifest', async () => {
    const small = encodeTrace({ trace, labels: Int32Array.from([2, 0]) });
    const fetch = (url: string) => (url.endsWith('test-trace.bin') ? Promise.resolve(small) : readModelFile(url));
    await expect(loadPageModel('', fetch)).rejects.toThrow(/expected 3 exits and 10 classes/);
  });
});
