import { defineConfig } from 'vite';
import { pageConfig } from './src/web/page-config.js';

export default defineConfig(pageConfig());
