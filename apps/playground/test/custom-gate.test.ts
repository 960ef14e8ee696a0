import { computeExitCosts, type Trace, softmaxRows } from '@offramp/core';
import { describe, expect, it } from 'vitest';
import { CustomGateError } from '../src/errors.js';
import { compileGate, createCheckedGate } from '../src/page/custom-gate.js';
import { EXAMPLE_GATE } from '../src/page/example-gate.js';

const context = { exits: 2, classes: 2 };
// Two samples, two exits: sample 0 is sure at exit 0 (p = 0.9 / 0.1), sample 1 is not (0.5 / 0.5).
const logits = [Float32Array.from([Math.log(9), 0, 0, 0]), Float32Array.from([0, 1, 1, 0])];
const trace: Trace = { n: 2, exits: 2, classes: 2, logits, probs: logits.map((z) => softmaxRows(z, 2)) };
const costs = computeExitCosts({ stageMacs: [10, 10], headMacs: [2, 2] });

function failure(run: () => unknown): CustomGateError {
  try {
    run();
  } catch (error) {
    if (error instanceof CustomGateError) return error;
    throw error;
  }
  throw new Error('expected a CustomGateError');
}

describe('compileGate', () => {
  it('compiles a defineGate call and scores with it', () => {
    const { gate, scores } = createCheckedGate(compileGate(EXAMPLE_GATE), context, trace, costs);
    expect(gate.name).toBe('top-two-ratio');
    // 1 - p2/p1: 1 - 0.1/0.9 and 1 - 0.5/0.5.
    expect(scores[0]![0]).toBeCloseTo(1 - 1 / 9, 6);
    expect(scores[0]![1]).toBeCloseTo(0, 6);
  });

  it('accepts the object alone, a bare score function and statements declaring score', () => {
    const object = `{ name: 'top', range: { min: 0, max: 1 }, defaultThreshold: 0.5, score: (_o, { classes }) => (s) => maxProb(s.probs, classes) }`;
    expect(compileGate(object).name).toBe('top');
    const arrow = compileGate('(signal) => maxProb(signal.probs, signal.classes)');
    const fromArrow = createCheckedGate(arrow, context, trace, costs);
    expect(fromArrow.scores[0]![0]).toBeCloseTo(0.9, 6);
    expect(fromArrow.gate.range).toEqual({ min: 0, max: 1 });
    const statements = 'const floor = 0.5;\nfunction score(signal) { return Array.from(maxProb(signal.probs, signal.classes), (p) => Math.max(floor, p)); }';
    const fromStatements = createCheckedGate(compileGate(statements), context, trace, costs);
    expect(fromStatements.gate.name).toBe('custom-score');
    expect(Array.from(fromStatements.scores[0]!)).toEqual([Math.fround(0.9), 0.5]);
  });

  it('names what is wrong: empty, syntax, a throw, a bad name, not a gate', () => {
    expect(failure(() => compileGate('  ')).received).toBe('empty text');
    const syntax = failure(() => compileGate('defineGate({ name: '));
    expect(syntax.field).toBe('source');
    expect(syntax.received).toMatch(/^SyntaxError/);
    const statementSyntax = failure(() => compileGate('function score(signal) { return [ }'));
    expect(statementSyntax.received).toMatch(/^SyntaxError/);
    expect(failure(() => compileGate('(() => { throw new RangeError("boom"); })()')).received).toBe('RangeError: boom');
    const badName = failure(() => compileGate(`defineGate({ name: 'Bad', range: { min: 0, max: 1 }, defaultThreshold: 0, score: () => () => new Float32Array(0) })`));
    expect(badName.field).toBe('definition.name');
    expect(badName.code).toBe('GATE_OPTIONS_INVALID');
    expect(failure(() => compileGate('42')).received).toBe('number');
    expect(failure(() => compileGate('({ name: "x" })')).received).toBe('an object without a score function');
  });
});

describe('createCheckedGate', () => {
  const gate = (body: string) => compileGate(`defineGate({ name: 'g', ${body} })`);

  it('rejects a range, threshold or needs the page cannot use', () => {
    expect(failure(() => createCheckedGate(gate('range: { min: 1, max: 1 }, defaultThreshold: 1, score: () => (s) => new Float32Array(s.batch)'), context, trace, costs)).field).toBe('range');
    expect(failure(() => createCheckedGate(gate('range: { min: 0, max: Infinity }, defaultThreshold: 1, score: () => (s) => new Float32Array(s.batch)'), context, trace, costs)).field).toBe('range.max');
    expect(failure(() => createCheckedGate(gate('range: { min: 0, max: 1 }, defaultThreshold: 2, score: () => (s) => new Float32Array(s.batch)'), context, trace, costs)).field).toBe('defaultThreshold');
    const hidden = failure(() => createCheckedGate(gate(`needs: ['hidden'], range: { min: 0, max: 1 }, defaultThreshold: 0.5, score: () => (s) => new Float32Array(s.batch)`), context, trace, costs));
    expect(hidden.field).toBe('needs');
    expect(hidden.received).toBe('["hidden"]');
  });

  it('rejects scores of the wrong length, out of range, or a throwing score', () => {
    const short = failure(() => createCheckedGate(gate('range: { min: 0, max: 1 }, defaultThreshold: 0.5, score: () => () => new Float32Array(1)'), context, trace, costs));
    expect(short.expected).toBe('a Float32Array of 2 scores');
    const outside = failure(() => createCheckedGate(gate('range: { min: 0, max: 1 }, defaultThreshold: 0.5, score: () => (s) => new Float32Array(s.batch).fill(3)'), context, trace, costs));
    expect(outside.field).toBe('score of sample 0 at exit 0');
    expect(outside.received).toBe('3');
    const nan = failure(() => createCheckedGate(compileGate('(s) => new Float32Array(s.batch).fill(NaN)'), context, trace, costs));
    expect(nan.received).toBe('NaN');
    const throwing = failure(() => createCheckedGate(compileGate('(s) => s.nothing.at(0)'), context, trace, costs));
    expect(throwing.field).toBe('score(signal)');
    expect(throwing.received).toMatch(/^TypeError/);
    const notArray = failure(() => createCheckedGate(compileGate('(s) => 0.5'), context, trace, costs));
    expect(notArray.expected).toBe('an array of 2 numbers');
  });
});
