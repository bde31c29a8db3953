// npm start: build, then launch the Electron app. Where Electron's binary is not installed (its
// install script downloads it, which fails offline), say so in one line and start web mode.
import { spawnSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const build = spawnSync('npx', ['electron-vite', 'build', '-c', 'electron.config.ts'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

// Look for the binary without require('electron'): that tries to download it when it is missing.
function electronBinary() {
  try {
    const dir = path.dirname(require.resolve('electron/package.json'));
    const rel = fs.readFileSync(path.join(dir, 'path.txt'), 'utf8').trim();
    const bin = path.join(dir, 'dist', rel);
    return fs.existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}
const binary = electronBinary();
if (binary) {
  spawn(binary, ['.'], { stdio: 'inherit' }).on('exit', (code) => process.exit(code ?? 0));
} else {
  console.error('retail-pulse: the Electron binary is not installed (npm install --ignore-scripts skips its download); running the main job headless instead: npm run pipeline.');
  spawn(process.execPath, ['--import', 'tsx', 'engine/cli.ts', 'pipeline'], { stdio: 'inherit' }).on('exit', (code) => process.exit(code ?? 0));
}
