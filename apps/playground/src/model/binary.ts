import { ModelFileError } from '../errors.js';

/** Reads little-endian fields of a binary model file, failing with the file and field named. */
export class BinaryReader {
  readonly #view: DataView;
  readonly #file: string;
  #offset = 0;

  constructor(bytes: Uint8Array, file: string) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#file = file;
  }

  get offset(): number {
    return this.#offset;
  }

  #need(bytes: number, field: string): void {
    if (this.#offset + bytes > this.#view.byteLength) {
      throw new ModelFileError({
        field: `${this.#file}: ${field}`,
        expected: `${bytes} more bytes at offset ${this.#offset}`,
        received: `a file of ${this.#view.byteLength} bytes`,
      });
    }
  }

  magic(expected: string): void {
    this.#need(4, 'magic');
    const got = String.fromCharCode(...Array.from({ length: 4 }, (_, i) => this.#view.getUint8(this.#offset + i)));
    if (got !== expected) {
      throw new ModelFileError({ field: `${this.#file}: magic`, expected: JSON.stringify(expected), received: JSON.stringify(got) });
    }
    this.#offset += 4;
  }

  /** A u32 in [min, max]. */
  uint32(field: string, min: number, max: number): number {
    this.#need(4, field);
    const value = this.#view.getUint32(this.#offset, true);
    if (value < min || value > max) {
      throw new ModelFileError({ field: `${this.#file}: ${field}`, expected: `a whole number in [${min}, ${max}]`, received: String(value) });
    }
    this.#offset += 4;
    return value;
  }

  bytes(count: number, field: string): Uint8Array {
    this.#need(count, field);
    const out = new Uint8Array(this.#view.buffer.slice(this.#view.byteOffset + this.#offset, this.#view.byteOffset + this.#offset + count));
    this.#offset += count;
    return out;
  }

  float32s(count: number, field: string): Float32Array {
    this.#need(count * 4, field);
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = this.#view.getFloat32(this.#offset + i * 4, true);
    this.#offset += count * 4;
    return out;
  }

  /** Fails unless every byte was read. */
  end(): void {
    if (this.#offset !== this.#view.byteLength) {
      throw new ModelFileError({
        field: `${this.#file}: length`,
        expected: `${this.#offset} bytes`,
        received: `${this.#view.byteLength} bytes`,
      });
    }
  }
}

/** Writes little-endian fields into a growing list of chunks. */
export class BinaryWriter {
  readonly #chunks: Uint8Array[] = [];

  magic(text: string): this {
    this.#chunks.push(Uint8Array.from(text, (c) => c.charCodeAt(0)));
    return this;
  }

  uint32(value: number): this {
    const chunk = new Uint8Array(4);
    new DataView(chunk.buffer).setUint32(0, value, true);
    this.#chunks.push(chunk);
    return this;
  }

  bytes(values: Uint8Array): this {
    this.#chunks.push(Uint8Array.from(values));
    return this;
  }

  float32s(values: Float32Array): this {
    const chunk = new Uint8Array(values.length * 4);
    const view = new DataView(chunk.buffer);
    values.forEach((v, i) => {
      view.setFloat32(i * 4, v, true);
    });
    this.#chunks.push(chunk);
    return this;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.#chunks.reduce((a, c) => a + c.length, 0));
    let offset = 0;
    for (const c of this.#chunks) {
      out.set(c, offset);
      offset += c.length;
    }
    return out;
  }
}
