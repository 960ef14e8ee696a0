import { ArgumentError, softmaxRows } from '@offramp/core';
import { checkLogitsAndLabels } from './probs-input.js';

/** Temperatures are searched in [MIN_TEMPERATURE, MAX_TEMPERATURE]; the fit returns an end when the optimum lies past it. */
export const MIN_TEMPERATURE = 1e-3;
export const MAX_TEMPERATURE = 1e3;

/**
 * First and second derivatives of the mean NLL of softmax(beta z) in beta = 1 / T:
 * f'(beta) = mean(E_p[z] - z_y), f''(beta) = mean(Var_p[z]) >= 0 (the NLL is convex in beta).
 */
function derivatives(logits: Float32Array, labels: Int32Array, classes: number, beta: number): [number, number] {
  const n = labels.length;
  let first = 0;
  let second = 0;
  for (let i = 0; i < n; i++) {
    const start = i * classes;
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < classes; c++) max = Math.max(max, beta * logits[start + c]!);
    let sum = 0;
    let mean = 0;
    let meanSquare = 0;
    for (let c = 0; c < classes; c++) {
      const z = logits[start + c]!;
      const w = Math.exp(beta * z - max);
      sum += w;
      mean += w * z;
      meanSquare += w * z * z;
    }
    mean /= sum;
    meanSquare /= sum;
    first += mean - logits[start + labels[i]!]!;
    second += Math.max(0, meanSquare - mean * mean);
  }
  return [first / n, second / n];
}

/**
 * Temperature scaling: the T > 0 minimising the mean NLL of softmax(z / T) against the labels
 * (n x C logits, row-major; C = logits.length / labels.length unless given). The NLL is convex in 1 / T,
 * so a safeguarded Newton search on its derivative finds the minimum; T stays in [1e-3, 1e3].
 * Dividing by T > 0 never changes the argmax.
 */
export function fitTemperature(logits: Float32Array, labels: Int32Array, classes?: number): number {
  return fitChecked(logits, labels, classes, 'logits');
}

function fitChecked(logits: Float32Array, labels: Int32Array, classes: number | undefined, field: string): number {
  const c = checkLogitsAndLabels(logits, labels, classes, field);
  let lo = 1 / MAX_TEMPERATURE;
  let hi = 1 / MIN_TEMPERATURE;
  if (derivatives(logits, labels, c, lo)[0] >= 0) return MAX_TEMPERATURE;
  if (derivatives(logits, labels, c, hi)[0] <= 0) return MIN_TEMPERATURE;
  let beta = 1;
  for (let iteration = 0; iteration < 200; iteration++) {
    const [g, h] = derivatives(logits, labels, c, beta);
    if (g === 0) break;
    if (g < 0) lo = beta;
    else hi = beta;
    if (hi / lo - 1 < 1e-12) break;
    const newton = beta - g / h;
    const next = h > 0 && newton > lo && newton < hi ? newton : Math.sqrt(lo * hi);
    if (Math.abs(next - beta) <= 1e-13 * beta) {
      beta = next;
      break;
    }
    beta = next;
  }
  return 1 / beta;
}

/** One temperature per exit: `fitTemperature` on each exit's n x C logits (e.g. `trace.logits`). */
export function fitTemperatures(logitsPerExit: readonly Float32Array[], labels: Int32Array, classes?: number): number[] {
  return logitsPerExit.map((logits, l) => fitChecked(logits, labels, classes, `logitsPerExit[${l}]`));
}

/** softmax(z / T) of n x C logits (row-major). */
export function applyTemperature(logits: Float32Array, classes: number, temperature: number): Float32Array {
  if (!(typeof temperature === 'number' && Number.isFinite(temperature) && temperature > 0)) {
    throw new ArgumentError({ field: 'temperature', expected: 'a finite number > 0', received: String(temperature) });
  }
  if (!(Number.isInteger(classes) && classes >= 1 && logits.length % classes === 0)) {
    throw new ArgumentError({
      field: 'classes',
      expected: `a whole number >= 1 dividing logits.length = ${logits.length}`,
      received: String(classes),
    });
  }
  const scaled = new Float32Array(logits.length);
  for (let k = 0; k < logits.length; k++) scaled[k] = logits[k]! / temperature;
  return softmaxRows(scaled, classes);
}
