// npm run dev: hot reload. With Electron's binary: electron-vite dev. Without it: the Host in web
// mode on a fixed port plus Vite's dev server for the renderer (its /api socket is proxied to the
// Host), and the URL with the token is printed.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { electronBinary } from './electronBinary.mjs';

const children = [];
const run = (cmd, args, env = {}) => {
  const child = spawn(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  children.push(child);
  child.on('exit', (code) => {
    for (const c of children) if (c !== child && c.exitCode === null) c.kill('SIGTERM');
    process.exitCode = code ?? 0;
  });
  return child;
};
process.on('SIGINT', () => children.forEach((c) => c.kill('SIGINT')));

if (electronBinary()) {
  run('npx', ['electron-vite', 'dev', '-c', 'electron.config.ts']);
} else {
  const token = crypto.randomBytes(24).toString('base64url');
  const hostPort = process.env.RETAIL_PULSE_DEV_HOST_PORT ?? '5174';
  console.error('retail-pulse: the Electron binary is not installed; hot reload in web mode instead.');
  run(process.execPath, ['--import', 'tsx', 'engine/web/serve.ts', '--port', hostPort, '--no-static'], {
    RETAIL_PULSE_TOKEN: token,
  });
  run(
    'npx',
    [
      'vite',
      'renderer',
      '--host',
      '127.0.0.1',
      '--port',
      '5173',
      '--strictPort',
      '--config',
      'renderer/vite.dev.config.ts',
    ],
    { RETAIL_PULSE_DEV_HOST_PORT: hostPort },
  );
  setTimeout(() => console.log(`retail-pulse: dev UI on http://127.0.0.1:5173/?token=${token}`), 1500);
}
