/**
 * Splits a table of class counts over parts of given sizes, proportionally: cell (part s, class c) gets
 * floor or ceil of size_s * count_c / total, every part gets exactly its size and every class exactly its count.
 * `sizes` must sum to `total` = sum of `counts`. Such a rounding always exists; it is found as a flow problem
 * (classes -> parts), preferring to round up the cells with the largest fractional parts.
 */
export function apportion(counts: readonly number[], sizes: readonly number[]): number[][] {
  const total = counts.reduce((a, b) => a + b, 0);
  const cells = sizes.map((size) =>
    counts.map((count) => ({
      floor: total === 0 ? 0 : Math.floor((size * count) / total),
      remainder: total === 0 ? 0 : (size * count) % total,
    })),
  );
  const classNeed = counts.map((count, c) => count - cells.reduce((sum, row) => sum + row[c]!.floor, 0));
  const partNeed = sizes.map((size, s) => size - cells[s]!.reduce((sum, cell) => sum + cell.floor, 0));
  // roundedUp[s][c]: whether cell (s, c) takes its ceiling; an augmenting-path search fills the needs.
  const roundedUp = sizes.map(() => counts.map(() => false));
  const partsByRemainder = (c: number): number[] =>
    sizes
      .map((_, s) => s)
      .filter((s) => cells[s]![c]!.remainder > 0)
      .sort((a, b) => cells[b]![c]!.remainder - cells[a]![c]!.remainder || a - b);

  const augment = (c: number, visited: boolean[]): boolean => {
    for (const s of partsByRemainder(c)) {
      if (roundedUp[s]![c] || visited[s]) continue;
      visited[s] = true;
      if (partNeed[s]! > 0) {
        partNeed[s] -= 1;
        roundedUp[s]![c] = true;
        return true;
      }
      // Part s is full: move one of its round-ups from another class c2 elsewhere.
      for (let c2 = 0; c2 < counts.length; c2++) {
        if (!roundedUp[s]![c2]) continue;
        roundedUp[s]![c2] = false;
        if (augment(c2, visited)) {
          roundedUp[s]![c] = true;
          return true;
        }
        roundedUp[s]![c2] = true;
      }
    }
    return false;
  };

  counts.forEach((_, c) => {
    for (let k = 0; k < classNeed[c]!; k++) {
      if (!augment(c, sizes.map(() => false))) throw new Error('apportion: no proportional rounding found');
    }
  });
  return cells.map((row, s) => row.map((cell, c) => cell.floor + (roundedUp[s]![c] ? 1 : 0)));
}
