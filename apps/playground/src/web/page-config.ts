import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InlineConfig } from 'vite';

/** The app's directory (holds index.html, public/ and vite.config.ts), from src/web or dist/web. */
export const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where `vite build` writes the page by default. */
export const PAGE_OUT_DIR = join(APP_DIR, 'dist', 'site');

/** The page's Vite config: relative base (servable from any path), public/ (the model) copied as is. */
export function pageConfig(outDir: string = PAGE_OUT_DIR): InlineConfig {
  return {
    root: APP_DIR,
    base: './',
    configFile: false,
    publicDir: join(APP_DIR, 'public'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, target: 'es2022', reportCompressedSize: false, chunkSizeWarningLimit: 2048 },
  };
}
