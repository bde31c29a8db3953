// Layering, checked on every lint: the engine runs under plain Node (never electron, React or the
// renderer); the renderer imports engine code for types only and no Node built-ins; electron/ is
// the thin shell between them.
import reactHooks from 'eslint-plugin-react-hooks';
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

const ipcMessage =
  'raw IPC: the UI reaches the engine only through electron/ipc.ts and electron/preload.ts (window.api); add a command to engine/contract.ts';
const rawIpc = [
  { selector: 'MemberExpression[object.name=/^(ipcMain|ipcRenderer|contextBridge)$/]', message: ipcMessage },
  { selector: 'ImportSpecifier[imported.name=/^(ipcRenderer|contextBridge)$/]', message: ipcMessage },
  {
    selector:
      'CallExpression[callee.property.name=/^(send|sendToFrame|postMessage)$/][callee.object.property.name="webContents"]',
    message: ipcMessage,
  },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'scratch/', '.data/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // Files stay small (STYLE.md: aim under 300 lines, none over 400).
      'max-lines': ['warn', { max: 300 }],
      // Raw IPC outside the one bridge (electron/ipc.ts in main, electron/preload.ts in the window):
      // a new way for the UI to reach the engine is a command in engine/contract.ts instead.
      'no-restricted-syntax': ['error', ...rawIpc],
    },
  },
  {
    files: ['electron/ipc.ts', 'electron/preload.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['renderer/**/*.tsx', 'renderer/**/*.ts'],
    ...reactHooks.configs.flat.recommended,
    rules: {
      ...reactHooks.configs.flat.recommended.rules,
      // useHostQuery's deps are checked like useEffect's: everything its read uses.
      'react-hooks/exhaustive-deps': ['warn', { additionalHooks: '^useHostQuery$' }],
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
