import { defineConfig } from 'vite';

// Web-mode hot reload (scripts/dev.mjs): the page's /api socket is proxied to the Host.
export default defineConfig({
  root: 'renderer',
  server: {
    proxy: { '/api': { target: `ws://127.0.0.1:${process.env.RETAIL_PULSE_DEV_HOST_PORT ?? 5174}`, ws: true } },
  },
});
