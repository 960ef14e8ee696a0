import { z } from 'zod';

/** Options schema of a gate that takes none: an empty object, unknown keys rejected. */
export const noOptions = z.strictObject({});

export type NoOptions = z.infer<typeof noOptions>;
