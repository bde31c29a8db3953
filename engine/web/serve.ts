/**
 * `npm run serve [-- --port N] [--data-dir DIR]`: the Host plus the built renderer on 127.0.0.1,
 * with a random token; prints the URL. Ctrl-C stops the workers and the server.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { Host } from '../host';
import { settingsFile } from '../settings';
import { startWebServer } from './server';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'data-dir': { type: 'string' },
    renderer: { type: 'string' },
    'no-static': { type: 'boolean' },
  },
});
const rendererDir = values.renderer ?? fileURLToPath(new URL('../../out/renderer', import.meta.url));
if (!values['no-static'] && !fs.existsSync(path.join(rendererDir, 'index.html'))) {
  console.error(`retail-pulse: no built renderer in ${rendererDir}; run npm run build first`);
  process.exit(2);
}
const dataDir = values['data-dir'] ?? process.env.RETAIL_PULSE_DATA_DIR ?? path.resolve('.data');
const saved = settingsFile(path.resolve(dataDir));
const config = loadConfig({
  dataDir,
  config: process.env.RETAIL_PULSE_CONFIG ?? (fs.existsSync(saved) ? saved : undefined),
});
const started = Date.now();
const opening = Host.open(config, { waitForWarehouse: false });
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
