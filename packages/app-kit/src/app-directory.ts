import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The app's folder, from the URL of one of its built modules (`import.meta.url`): the parent of the
 * folder the module sits in, so `dist/main.js` gives the app root, where `.cache/` and `results/` live.
 */
export function appDirectory(moduleUrl: string): string {
  return join(dirname(fileURLToPath(moduleUrl)), '..');
}
