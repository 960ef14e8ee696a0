import * as tf from '@tensorflow/tfjs';

/** Keys and values of every layer for the positions fed so far, [1, H, P, dh] each; layers may hold different P. */
export class KvCache {
  readonly #keys: (tf.Tensor | undefined)[];
  readonly #values: (tf.Tensor | undefined)[];

  constructor(layers: number) {
    this.#keys = Array.from({ length: layers }, () => undefined);
    this.#values = Array.from({ length: layers }, () => undefined);
  }

  /** Layer l's cache, to pass to `lm.layer`; undefined before the first position. */
  entry(l: number): { keys: tf.Tensor; values: tf.Tensor } | undefined {
    const keys = this.#keys[l];
    const values = this.#values[l];
    return keys && values ? { keys, values } : undefined;
  }

  /** Positions layer l holds. */
  lengthAt(l: number): number {
    return this.#keys[l]?.shape[2] ?? 0;
  }

  /** Replaces layer l's cache (the layer returns the old positions with the new appended); takes ownership. */
  set(l: number, keys: tf.Tensor, values: tf.Tensor): void {
    this.#keys[l]?.dispose();
    this.#values[l]?.dispose();
    this.#keys[l] = keys;
    this.#values[l] = values;
  }

  /** Keeps the first `length` positions of every layer (rolls back what verification did not accept). */
  truncate(length: number): void {
    for (let l = 0; l < this.#keys.length; l++) {
      const keys = this.#keys[l];
      const values = this.#values[l];
      if (!keys || !values || keys.shape[2]! <= length) continue;
      const size = [keys.shape[0]!, keys.shape[1]!, length, keys.shape[3]!];
      this.set(l, tf.slice(keys, [0, 0, 0, 0], size), tf.slice(values, [0, 0, 0, 0], size));
    }
  }

  /** Copies of every layer's keys and values on the host (for checks). */
  async snapshot(): Promise<{ keys: Float32Array; values: Float32Array; length: number }[]> {
    return Promise.all(
      this.#keys.map(async (keys, l) => ({
        keys: keys ? ((await keys.data()) as Float32Array) : new Float32Array(),
        values: this.#values[l] ? ((await this.#values[l]!.data()) as Float32Array) : new Float32Array(),
        length: this.lengthAt(l),
      })),
    );
  }

  dispose(): void {
    for (let l = 0; l < this.#keys.length; l++) {
      this.#keys[l]?.dispose();
      this.#values[l]?.dispose();
      this.#keys[l] = undefined;
      this.#values[l] = undefined;
    }
  }
}
