import { stat } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { ArgumentError, CountMismatchError, InputShapeError } from '@offramp/core';
import { readCheckpoint, writeCheckpoint } from './checkpoint-file.js';
import type { CheckpointEntry } from './checkpoint-format.js';

const variableField = (name: string): string => `variables[${JSON.stringify(name)}]`;

function checkFloat32(variables: readonly tf.Variable[]): void {
  const names = new Set<string>();
  for (const v of variables) {
    if (v.dtype !== 'float32') {
      throw new ArgumentError({ field: `${variableField(v.name)}.dtype`, expected: 'float32', received: v.dtype });
    }
    if (names.has(v.name)) {
      throw new ArgumentError({ field: variableField(v.name), expected: 'unique variable names', received: 'a repeated name' });
    }
    names.add(v.name);
  }
}

/**
 * Writes the variables' values to `path` as one binary checkpoint, atomically (writeCheckpoint). NaN or
 * infinite values are refused before anything is written. `quantize: 'int8'` stores every variable of rank 2
 * or more as 8-bit integers with a scale per row (a quarter of the bytes; loading gives q * scale back).
 */
export async function saveVariables(path: string, variables: readonly tf.Variable[], options: { quantize?: 'int8' } = {}): Promise<void> {
  checkFloat32(variables);
  const entries: CheckpointEntry[] = [];
  for (const v of variables) {
    entries.push({ name: v.name, shape: v.shape, values: (await v.data()) as Float32Array, ...(options.quantize ? { quantize: options.quantize } : {}) });
  }
  await writeCheckpoint(path, entries);
}

/**
 * Loads a checkpoint into `variables`, matched by name. The file must be whole (its checksum), hold only finite
 * values and exactly these names, each with the variable's shape; nothing is assigned unless every check passes.
 */
export async function loadVariables(path: string, variables: readonly tf.Variable[]): Promise<void> {
  checkFloat32(variables);
  const entries = await readCheckpoint(path);
  const byName = new Map(entries.map((entry) => [entry.name, entry]));
  const matched = variables.map((v) => {
    const entry = byName.get(v.name);
    if (!entry) {
      throw new ArgumentError({
        field: `${variableField(v.name)}.name`,
        expected: `one of the names in ${path} (${entries.map((e) => JSON.stringify(e.name)).join(', ')})`,
        received: JSON.stringify(v.name),
      });
    }
    const same = entry.shape.length === v.shape.length && entry.shape.every((d, i) => d === v.shape[i]);
    if (!same) {
      throw new InputShapeError({
        field: `${variableField(v.name)}.shape`,
        expected: `[${v.shape.join(', ')}] (the variable's shape)`,
        received: `[${entry.shape.join(', ')}] in ${path}`,
      });
    }
    return entry;
  });
  if (entries.length !== variables.length) {
    const wanted = new Set(variables.map((v) => v.name));
    const extra = entries.filter((e) => !wanted.has(e.name)).map((e) => JSON.stringify(e.name));
    throw new CountMismatchError({
      field: 'variables',
      expected: `${entries.length} variables, as in ${path}`,
      received: `${variables.length} (missing ${extra.join(', ')})`,
    });
  }
  variables.forEach((v, i) => {
    const entry = matched[i]!;
    const value = tf.tensor(entry.values, [...entry.shape], 'float32');
    v.assign(value);
    value.dispose();
  });
}

/** Whether a file exists at `path` (it is not read or checked). */
export async function checkpointExists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
