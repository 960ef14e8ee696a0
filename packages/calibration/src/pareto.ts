/** Anything with an accuracy and a mean cost. */
export interface AccuracyCost {
  readonly accuracy: number;
  readonly meanCost: number;
}

/**
 * The points that no other point dominates (at least as accurate and at most as costly, and better in
 * one of the two), sorted by increasing cost. Of several identical points the first one is kept.
 */
export function paretoFront<P extends AccuracyCost>(points: readonly P[]): P[] {
  const sorted = points
    .map((point, index) => ({ point, index }))
    .sort((a, b) => a.point.meanCost - b.point.meanCost || b.point.accuracy - a.point.accuracy || a.index - b.index);
  const front: P[] = [];
  let best = Number.NEGATIVE_INFINITY;
  for (const { point } of sorted) {
    if (point.accuracy > best) {
      front.push(point);
      best = point.accuracy;
    }
  }
  return front;
}
