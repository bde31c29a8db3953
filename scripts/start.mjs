// npm start: build, then launch the Electron app. Where Electron's binary is not installed (its
// install script downloads it, which fails offline), say so in one line and start web mode.
import { spawnSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const build = spawnSync('npx', ['electron-vite', 'build', '-c', 'electron.config.ts'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

let binary = null;
try {
  const p = require('electron');
  if (typeof p === 'string' && fs.existsSync(p)) binary = p;
} catch {
  binary = null;
}
if (binary) {
  spawn(binary, ['.'], { stdio: 'inherit' }).on('exit', (code) => process.exit(code ?? 0));
} else {
  console.error('retail-pulse: the Electron binary is not installed (npm install --ignore-scripts skips its download); running the main job headless instead: npm run pipeline.');
  spawn(process.execPath, ['--import', 'tsx', 'engine/cli.ts', 'pipeline'], { stdio: 'inherit' }).on('exit', (code) => process.exit(code ?? 0));
}
