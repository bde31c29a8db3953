/**
 * `npm run serve [-- --port N] [--data-dir DIR]`: the Host plus the built renderer on 127.0.0.1,
 * with a random token; prints the URL. Ctrl-C stops the workers and the server.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Host } from '../host';
import { loadStartupConfig } from '../settings';
import { startWebServer } from './server';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'data-dir': { type: 'string' },
    renderer: { type: 'string' },
    'no-static': { type: 'boolean' },
  },
});
const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const rendererDir = values.renderer ?? path.join(projectDir, 'out/renderer');
if (!values['no-static'] && !fs.existsSync(path.join(rendererDir, 'index.html'))) {
  if (values.renderer) {
    console.error(`retail-pulse: no built renderer in ${rendererDir} (index.html is missing)`);
    process.exit(2);
  }
  // A fresh clone has no build yet: make it, as npm start does.
  console.log('retail-pulse: no built app yet; building it (npm run build)…');
  const build = spawnSync('npx', ['electron-vite', 'build', '-c', 'electron.config.ts'], {
    cwd: projectDir,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (build.status !== 0 || !fs.existsSync(path.join(rendererDir, 'index.html'))) {
    console.error('retail-pulse: the build failed (see above); fix it, or run npm run build to see why');
    process.exit(build.status || 1);
  }
}
const dataDir = values['data-dir'] ?? process.env.RETAIL_PULSE_DATA_DIR ?? path.resolve('.data');
// A saved setting the app cannot use is left out and shown on the Settings page, not a reason to stop.
const { config, problems } = loadStartupConfig(dataDir);
for (const p of problems) console.error(`retail-pulse: ${p.message}${p.field ? ` (field: ${p.field})` : ''}`);
const started = Date.now();
const opening = Host.open(config, { waitForWarehouse: false, startupProblems: problems, checkServices: true });
const server = await startWebServer({
  host: opening,
  rendererDir: values['no-static'] ? null : rendererDir,
  port: values.port ? Number(values.port) : undefined,
  token: process.env.RETAIL_PULSE_TOKEN,
});
console.log(`retail-pulse: web mode on ${server.url}  (Ctrl-C stops)`);
const host = await opening.catch(async (err: unknown) => {
  console.error(`retail-pulse: ${err instanceof Error ? err.message : String(err)}`);
  await server.close();
  process.exit(1);
});
console.log(`retail-pulse: host ready in ${Date.now() - started} ms`);

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('retail-pulse: stopping workers…');
  await server.close();
  await host.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
