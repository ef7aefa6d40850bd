// Builds the console (index.html) and the app portal (portal/index.html) into dist/web/, which
// the server serves at / and /portal/. JSX goes through esbuild (no Babel), and paths are
// relative so the same files work under either prefix.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: './',
  logLevel: 'warn',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: here('../dist/web'),
    emptyOutDir: true,
    // The server's CSP allows this origin only, so nothing is inlined as a data: URL or script.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 300,
    rollupOptions: {
      input: { console: here('index.html'), portal: here('portal/index.html') },
      output: { chunkFileNames: 'assets/shared-[hash].js' },
    },
  },
});
