/**
 * Copied-state keys and values one decoded sequence needs. A step that leaves after layer e skips the layers
 * above; a later step that runs layer l > e attends to this position there, through the keys and values of the
 * copied (exited) state. They are made when a later step first runs that layer, so a skipped layer that no later
 * step runs costs nothing: step t adds max(0, max_{t' > t} e_{t'} - e_t).
 * `exits`: the exit layer (0-based) of each decoded step, -1 after the end of the sequence.
 */
export function copiedStateCount(exits: ArrayLike<number>): number {
  let count = 0;
  let laterMax = -1;
  for (let t = exits.length - 1; t >= 0; t--) {
    const e = exits[t]!;
    if (e < 0) continue;
    if (laterMax > e) count += laterMax - e;
    laterMax = Math.max(laterMax, e);
  }
  return count;
}
