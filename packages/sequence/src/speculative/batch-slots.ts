/** The additive value that shuts a key out of attention. */
const BLOCKED = -1e9;

/**
 * Writes one batch row's part of an attention mask [B, 1, T, cached + T] at `offset`: new position q sees the
 * cached slots `valid` lets it see, and new positions up to q.
 */
function fillRowMask(values: Float32Array, offset: number, cached: number, t: number, valid: (slot: number) => boolean): void {
  const width = cached + t;
  for (let q = 0; q < t; q++) {
    const row = offset + q * width;
    for (let j = 0; j < cached; j++) values[row + j] = valid(j) ? 0 : BLOCKED;
    for (let j = 0; j < t; j++) values[row + cached + j] = j <= q ? 0 : BLOCKED;
  }
}

/** The causal mask [1, 1, T, P + T] of one sequence: T new positions after P cached ones, all of them its own. */
export function causalMask(past: number, fresh: number): Float32Array {
  const values = new Float32Array(fresh * (past + fresh));
  fillRowMask(values, 0, past, fresh, () => true);
  return values;
}

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
    const values = new Float32Array(this.rows * t * (cached + t));
    this.#valid.forEach((slots, b) => {
      fillRowMask(values, b * t * (cached + t), cached, t, (j) => slots[j] === 1);
    });
    return values;
  }
}
