// npm start: build, then launch the Electron app. Where Electron's binary is not installed (its
// install script downloads it, which fails offline), say so in one line and start web mode.
import { spawnSync, spawn } from 'node:child_process';
import { electronBinary } from './electronBinary.mjs';

const build = spawnSync('npx', ['electron-vite', 'build', '-c', 'electron.config.ts'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const binary = electronBinary();
const child = binary
  ? spawn(binary, ['.'], { stdio: 'inherit' })
  : (console.error(
      'retail-pulse: the Electron binary is not installed (npm install --ignore-scripts skips its download); starting web mode instead.',
    ),
    spawn(process.execPath, ['--import', 'tsx', 'engine/web/serve.ts', ...process.argv.slice(2)], {
      stdio: 'inherit',
    }));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
