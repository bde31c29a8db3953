import { defineConfig } from 'vitest/config';

// Renderer component and store tests (npm test runs them after the node tests' typecheck and lint).
export default defineConfig({
  test: { include: ['renderer/**/*.test.{ts,tsx}'], environment: 'happy-dom' },
});
