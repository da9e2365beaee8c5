// Builds the overlay (OBS browser source) and the operator page as one multi-page static site in
// dist/overlay/, which the server serves (/overlay, / and /operator).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/',
  plugins: [svelte()],
  logLevel: 'warn',
  build: {
    outDir: here('../dist/overlay'),
    emptyOutDir: true,
    // OBS ships a recent Chromium (CEF); no legacy transforms needed.
    target: 'es2022',
    // Multi-page build; the plugin-timing report is noise for a build this small.
    rolldownOptions: {
      checks: { bundlerTimings: false },
      input: {
        overlay: here('overlay.html'),
        index: here('index.html'),
      },
    },
  },
});
