// Layering, checked on every lint: the engine runs under plain Node (never electron, React or the
// renderer); the renderer imports engine code for types only and no Node built-ins; electron/ is
// the thin shell between them.
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'fs',
  'path',
  'os',
  'child_process',
  'worker_threads',
  'net',
  'http',
  'crypto',
  'zlib',
  'stream',
  'url',
  'util',
];

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'scratch/', '.data/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['engine/**/*.ts', 'engine/**/*.mjs'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron', 'electron/*'],
              message: 'engine/ runs without Electron: talk to the shell through engine/contract.ts.',
            },
            { group: ['react', 'react-dom', 'react/*', 'zustand', 'echarts'], message: 'engine/ has no UI code.' },
            { group: ['**/renderer/**', '**/electron/**'], message: 'engine/ never imports the shell or the UI.' },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [...nodeBuiltins, ...nodeBuiltins.map((m) => `node:${m}`)].map((name) => ({
            name,
            message: 'the renderer has no Node: ask the Host through the contract.',
          })),
          patterns: [
            {
              group: ['**/engine/**', '!**/engine/contract', '!**/engine/errors'],
              message: 'the renderer imports only engine/contract (types).',
            },
            {
              group: ['**/engine/contract', '**/engine/errors'],
              allowTypeImports: true,
              message: 'import the contract with `import type`.',
            },
            { group: ['electron'], message: 'the renderer reaches the main process only through window.api.' },
          ],
        },
      ],
    },
  },
);
