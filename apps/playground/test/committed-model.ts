import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MODEL_FILES } from '../src/model/files.js';
import { decodeSamples } from '../src/model/sample-file.js';
import { decodeTrace } from '../src/model/trace-file.js';
import { type FetchBytes, loadPageModel, type PageModel } from '../src/page/load-model.js';
import { APP_DIR } from '../src/web/page-config.js';

export const MODEL_DIR = join(APP_DIR, 'public', 'model');

/** Reads files of the committed model directory the way the page fetches them. */
export const readModelFile: FetchBytes = async (url) => new Uint8Array(await readFile(join(MODEL_DIR, url)));

/** The committed model as the page loads it. */
export function loadCommittedModel(): Promise<PageModel> {
  return loadPageModel('', readModelFile);
}

export { decodeSamples, decodeTrace, MODEL_FILES };
