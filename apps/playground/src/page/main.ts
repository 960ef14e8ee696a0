import { createExitPolicy, type ExitCosts, type Gate, type GateContext, type GatePlugin } from '@offramp/core';
import { OnnxEngine, type OrtRuntime } from '@offramp/onnx/browser';
import * as ort from 'onnxruntime-web/wasm';
import wasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import { sampleImage } from '../model/sample-file.js';
import { AnswerPaths, describeOutcome, PATH_NAMES, type PathName, shownAnswer } from './answer-path.js';
import { compileGate, createCheckedGate } from './custom-gate.js';
import { type GateCurve, gateCurve, operatingPoint } from './curve.js';
import { curveSvg } from './curve-svg.js';
import { DrawingPad, paintImage } from './drawing-pad.js';
import { EXAMPLE_GATE } from './example-gate.js';
import { renderExitTable } from './exit-table.js';
import { BUILTIN_PLUGINS, costsWithGate, defaultGate, thresholdStep } from './gate-choices.js';
import { loadPageModel } from './load-model.js';
import { predictOne } from './predict.js';
import './style.css';

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element as T;
}

interface Choice {
  readonly gate: Gate;
  readonly costs: ExitCosts;
  readonly description: string;
  threshold: number;
  curve?: GateCurve;
}

type Input = { readonly kind: 'sample'; readonly k: number } | { readonly kind: 'drawing' };

const status = byId<HTMLParagraphElement>('status');
const gateSelect = byId<HTMLSelectElement>('gate');
const slider = byId<HTMLInputElement>('threshold');
const sliderValue = byId<HTMLOutputElement>('threshold-value');
const resultText = byId<HTMLParagraphElement>('result');
const pathSelect = byId<HTMLSelectElement>('path');
const pathText = byId<HTMLParagraphElement>('path-result');
const customSource = byId<HTMLTextAreaElement>('custom-source');
const customError = byId<HTMLParagraphElement>('custom-error');
const customResult = byId<HTMLParagraphElement>('custom-result');

async function start(): Promise<void> {
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = { wasm: new URL(wasmUrl, document.baseURI).href };
  const model = await loadPageModel(new URL('model/', document.baseURI).href);
  document.body.dataset.modelLoaded = String(performance.now());
  const engine = await OnnxEngine.create(ort as unknown as OrtRuntime, model.bundle);
  document.body.dataset.engineReady = String(performance.now());
  const paths = new AnswerPaths(ort as unknown as OrtRuntime, model.bundle);
  const { manifest } = model.bundle;
  const context: GateContext = { exits: engine.exits, classes: engine.classes };
  const choices = new Map<string, Choice>();
  const addChoice = (plugin: GatePlugin<unknown>, gate: Gate, key: string): void => {
    const saved = manifest.policy?.gate === gate.name ? manifest.policy.thresholds?.[0] : undefined;
    choices.set(key, { gate, costs: costsWithGate(manifest.macs, gate), description: plugin.description, threshold: saved ?? gate.defaultThreshold });
  };
  for (const plugin of BUILTIN_PLUGINS) addChoice(plugin, defaultGate(plugin, context), plugin.name);
  let selected = manifest.policy && choices.has(manifest.policy.gate) ? manifest.policy.gate : BUILTIN_PLUGINS[0]!.name;
  let input: Input = { kind: 'sample', k: 0 };
  const drawing = new DrawingPad(byId<HTMLCanvasElement>('pad'), () => {
    input = { kind: 'drawing' };
    markSample(-1);
    void predict();
  });

  const current = (): Choice => choices.get(selected)!;
  const curveOf = (choice: Choice): GateCurve => {
    choice.curve ??= gateCurve(model.trace, model.labels, choice.gate, choice.costs);
    return choice.curve;
  };

  const renderGate = (): void => {
    const { gate, threshold, description } = current();
    slider.min = String(gate.range.min);
    slider.max = String(gate.range.max);
    slider.step = String(thresholdStep(gate));
    slider.value = String(threshold);
    byId('gate-description').textContent = description;
  };

  const renderCurve = (): void => {
    const choice = current();
    sliderValue.textContent = choice.threshold.toFixed(4);
    const point = operatingPoint(model.trace, model.labels, choice.gate, choice.threshold, choice.costs);
    const curves = [...choices.values()].map(curveOf);
    byId('curve').innerHTML = curveSvg({ curves, highlight: choice.gate.name, current: point });
    const text = byId('operating-point');
    text.dataset.accuracy = String(point.accuracy);
    text.dataset.cost = String(point.cost);
    text.textContent =
      `${choice.gate.name} at ${choice.threshold.toFixed(4)} on the ${model.trace.n} test digits: ` +
      `accuracy ${(point.accuracy * 100).toFixed(2)}%, ${point.cost.toFixed(3)} of the backbone's MACs ` +
      `(${(point.meanMacs / 1000).toFixed(1)} kMACs per digit); exits ${point.exitCounts.join(' / ')}.`;
  };

  // One engine run at a time: onnxruntime sessions do not run concurrently.
  let queue: Promise<void> = Promise.resolve();
  let runs = 0;
  const predict = (): Promise<void> => {
    queue = queue.then(async () => {
      const image = input.kind === 'sample' ? sampleImage(model.samples, input.k) : drawing.image();
      paintImage(byId<HTMLCanvasElement>('preview'), image);
      if (input.kind === 'drawing' && image.every((v) => v === 0)) {
        Object.assign(resultText.dataset, { state: 'empty', input: 'drawing', run: String(++runs) });
        resultText.textContent = 'Nothing drawn yet.';
        pathText.textContent = '';
        byId('exits').replaceChildren();
        return;
      }
      const choice = current();
      const policy = createExitPolicy({ gate: choice.gate, thresholds: choice.threshold, costs: choice.costs });
      const result = await predictOne(engine, policy, image);
      const outcome = await paths.answer(pathOf(pathSelect.value), policy, image, result);
      const shown = shownAnswer(outcome, result);
      const path = describeOutcome(outcome, result);
      renderExitTable(byId('exits'), result);
      const label = input.kind === 'sample' ? ` (label ${model.samples.labels[input.k]}, test digit #${model.samples.indices[input.k]})` : ' (your drawing)';
      Object.assign(resultText.dataset, {
        pathsAgree: '',
        compiledMilliseconds: '',
        ...path.data,
        state: 'done',
        prediction: String(shown.prediction),
        exit: String(shown.exit),
        gate: choice.gate.name,
        threshold: String(choice.threshold),
        input: input.kind === 'sample' ? `sample-${input.k}` : 'drawing',
        milliseconds: String(result.milliseconds),
        run: String(++runs),
      });
      resultText.textContent =
        `Prediction ${shown.prediction}${label}: stopped at exit ${shown.exit + 1} of ${engine.exits}, ` +
        `confidence ${(shown.confidence * 100).toFixed(1)}%, ${(policy.costs.cumulativeMacs[shown.exit]! / 1000).toFixed(1)} kMACs = ` +
        `${policy.costs.relativeToBackbone[shown.exit]!.toFixed(3)} of the backbone ` +
        `(${result.agrees ? 'runner = trace' : 'runner and trace DISAGREE'}).`;
      pathText.textContent = path.text;
      if (!document.body.dataset.firstPrediction) document.body.dataset.firstPrediction = String(performance.now());
    });
    return queue.catch((error: unknown) => showError(resultText, error));
  };

  const samplesBox = byId('samples');
  const markSample = (k: number): void => {
    samplesBox.querySelectorAll('button').forEach((b, i) => {
      b.classList.toggle('selected', i === k);
    });
  };
  for (let k = 0; k < model.samples.count; k++) {
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.sample = String(k);
    button.dataset.label = String(model.samples.labels[k]);
    button.dataset.index = String(model.samples.indices[k]);
    button.title = `test digit #${model.samples.indices[k]}, label ${model.samples.labels[k]}`;
    const canvas = document.createElement('canvas');
    paintImage(canvas, sampleImage(model.samples, k));
    button.append(canvas);
    button.addEventListener('click', () => {
      drawing.clear();
      input = { kind: 'sample', k };
      markSample(k);
      void predict();
    });
    samplesBox.append(button);
  }

  const renderSelect = (): void => {
    gateSelect.replaceChildren(
      ...[...choices.keys()].map((key) => {
        const option = document.createElement('option');
        option.value = key;
        option.textContent = key;
        return option;
      }),
    );
    gateSelect.value = selected;
  };
  gateSelect.addEventListener('change', () => {
    selected = gateSelect.value;
    renderGate();
    renderCurve();
    void predict();
  });
  pathSelect.addEventListener('change', () => {
    void predict();
  });
  slider.addEventListener('input', () => {
    current().threshold = Number(slider.value);
    renderCurve();
    void predict();
  });
  byId('clear').addEventListener('click', () => {
    drawing.clear();
    input = { kind: 'drawing' };
    void predict();
  });

  customSource.value = EXAMPLE_GATE;
  byId('custom-apply').addEventListener('click', () => {
    customError.textContent = '';
    delete customError.dataset.field;
    try {
      const plugin = compileGate(customSource.value);
      const { gate } = createCheckedGate(plugin, context, model.trace, costsWithGate(manifest.macs, defaultGate(BUILTIN_PLUGINS[0]!, context)));
      const key = `custom: ${gate.name}`;
      addChoice(plugin, gate, key);
      selected = key;
      const choice = current();
      const point = operatingPoint(model.trace, model.labels, gate, choice.threshold, choice.costs);
      customResult.dataset.accuracy = String(point.accuracy);
      customResult.dataset.gate = gate.name;
      customResult.textContent =
        `${gate.name} compiled; on the test trace at its default threshold ${choice.threshold}: accuracy ` +
        `${(point.accuracy * 100).toFixed(2)}%, ${point.cost.toFixed(3)} of the backbone's MACs, exits ${point.exitCounts.join(' / ')}. ` +
        'It is now the selected gate (curve and input above use it).';
      renderSelect();
      renderGate();
      renderCurve();
      void predict();
    } catch (error) {
      customResult.textContent = '';
      showError(customError, error);
    }
  });

  renderSelect();
  renderGate();
  renderCurve();
  markSample(0);
  status.dataset.state = 'ready';
  status.textContent = `Ready: ${manifest.name ?? 'network'} with ${engine.exits} exits on onnxruntime-web (wasm).`;
  await predict();
}

function pathOf(value: string): PathName {
  return PATH_NAMES.find((p) => p === value) ?? 'js';
}

function showError(element: HTMLElement, error: unknown): void {
  element.textContent = error instanceof Error ? error.message : String(error);
  if (error && typeof error === 'object' && 'field' in error) element.dataset.field = String(error.field);
}

start().catch((error: unknown) => {
  status.dataset.state = 'error';
  showError(status, error);
});
