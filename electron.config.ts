import { defineConfig } from 'electron-vite';

// electron-vite only discovers electron.vite.config.*: run it with `-c electron.config.ts`.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        // The engine's worker threads are their own chunk, started by path from the Host.
        input: { main: 'electron/main.ts', worker: 'engine/workers/worker.ts' },
        output: { entryFileNames: '[name].js', format: 'es' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { preload: 'electron/preload.ts' },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'renderer',
    build: { outDir: 'out/renderer', minify: true, rollupOptions: { input: 'renderer/index.html' } },
  },
});
