/** The additive value that shuts a key out of attention. */
const BLOCKED = -1e9;

/**
 * Which cache slots each row of a batch may attend to. Every pass appends the same number of slots to every row;
 * a row's slots that hold nothing of its own (prompt padding, rejected drafts, passes after it finished) are marked
 * invalid and masked out, so each row sees exactly its own history, as if it were decoded alone.
 */
export class BatchSlots {
  readonly #valid: number[][];

  constructor(rows: number) {
    this.#valid = Array.from({ length: rows }, () => []);
  }

  get rows(): number {
    return this.#valid.length;
  }

  /** Appends one slot per row, valid where `valid(b)`. */
  append(valid: (row: number) => boolean): void {
    this.#valid.forEach((slots, b) => {
      slots.push(valid(b) ? 1 : 0);
    });
  }

  /** Sets slot `slot` of row `row`. */
  set(row: number, slot: number, valid: boolean): void {
    this.#valid[row]![slot] = valid ? 1 : 0;
  }

  /**
   * The mask [B, 1, T, cached + T] for T new positions over `cached` slots: new position t of row b sees the
   * row's valid cached slots and new positions up to t.
   */
  mask(cached: number, t: number): Float32Array {
    const width = cached + t;
    const values = new Float32Array(this.rows * t * width);
    this.#valid.forEach((slots, b) => {
      for (let q = 0; q < t; q++) {
        const row = (b * t + q) * width;
        for (let j = 0; j < cached; j++) values[row + j] = slots[j] ? 0 : BLOCKED;
        for (let j = 0; j < t; j++) values[row + cached + j] = j <= q ? 0 : BLOCKED;
      }
    });
    return values;
  }
}
