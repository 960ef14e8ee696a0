import { build } from 'vite';
import { PAGE_OUT_DIR, pageConfig } from './page-config.js';

/** Builds the page with Vite into `outDir` (default dist/site) and returns that directory. */
export async function buildPage(outDir: string = PAGE_OUT_DIR): Promise<string> {
  await build(pageConfig(outDir));
  return outDir;
}
