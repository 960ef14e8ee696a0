/** The additive attention mask of T new positions after P cached ones, [1, 1, T, P + T]: new position i sees keys j <= P + i. */
export function causalMask(past: number, fresh: number): Float32Array {
  const width = past + fresh;
  const mask = new Float32Array(fresh * width);
  for (let i = 0; i < fresh; i++) mask.fill(-1e9, i * width + past + i + 1, (i + 1) * width);
  return mask;
}
