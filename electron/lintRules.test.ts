import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ESLint } from 'eslint';

// The project's lint (eslint.config.js) as a developer meets it: raw IPC is refused outside the
// one bridge, and the renderer follows the rules of hooks.
const eslint = new ESLint();
const problems = async (filePath: string, code: string) =>
  (await eslint.lintText(code, { filePath }))[0].messages.map((m) => `${m.ruleId}: ${m.message}`);

test('lint: raw IPC outside electron/ipc.ts and preload.ts is refused, naming the bridge', async () => {
  const raw = [
    `import { ipcMain } from 'electron';\nipcMain.handle('fs:read', () => 1);\n`,
    `import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;\n`,
    `import type { BrowserWindow } from 'electron';\nexport const f = (w: BrowserWindow) => w.webContents.send('x', 1);\n`,
  ];
  for (const code of raw) {
    const found = await problems('electron/extraChannel.ts', code);
    assert.ok(
      found.some((p) => p.startsWith('no-restricted-syntax: raw IPC') && p.includes('electron/preload.ts')),
      `${code} → ${found.join('; ')}`,
    );
  }
  // The bridge itself may, and main.ts may hand ipcMain to it.
  assert.deepEqual(await problems('electron/ipc.ts', raw[0]), []);
  assert.deepEqual(
    await problems(
      'electron/mainPart.ts',
      `import { ipcMain } from 'electron';\nexport const wire = (f: (i: typeof ipcMain) => void) => f(ipcMain);\n`,
    ),
    [],
  );
});

test('lint: a hook called conditionally in the renderer is an error', async () => {
  const found = await problems(
    'renderer/src/pages/Broken.tsx',
    `import { useState } from 'react';\nexport function Broken({ on }: { on: boolean }) {\n  if (on) useState(0);\n  return null;\n}\n`,
  );
  assert.ok(
    found.some((p) => p.startsWith('react-hooks/rules-of-hooks')),
    found.join('; '),
  );
});
