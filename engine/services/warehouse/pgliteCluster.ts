import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';

/**
 * How the embedded warehouse's PostgreSQL is sized, and how a new data dir is made.
 *
 * Memory: PGlite is PostgreSQL in a WASM heap that only grows. Its default shared_buffers (128 MB)
 * is most of what an open PGlite costs; at 32 MB a whole ETL run peaked ~155 MB lower, with no CPU
 * cost measurable on a shared machine (README, "The ETL alone"). The query editor's reader only
 * reads a snapshot and gets the minimum.
 *
 * A new data dir: PGlite's initdb runs a second WASM module and peaks at about 840 MB RSS. The
 * cluster initdb makes is the same for one PGlite version, so it is made once per machine and
 * PGlite version, by that PGlite in a process of its own (the engine's memory never holds initdb),
 * kept as a template in the user's cache folder, and a new data dir is that template unpacked.
 * An existing data dir is opened as it is.
 */
export const WAREHOUSE_SETTINGS = [
  'shared_buffers = 32MB',
  'maintenance_work_mem = 16MB',
  // Without these the WAL grows past a gigabyte after a few reloads (LAB-NOTES).
  'max_wal_size = 64MB',
  'min_wal_size = 32MB',
  // PGlite runs with fsync off: a crash of the machine may lose the warehouse anyway (it is rebuilt
  // from the lake), and a crash of the process cannot tear a page, so full-page images in the WAL
  // only cost WAL.
  'full_page_writes = off',
];
export const READER_SETTINGS = ['shared_buffers = 16MB', 'work_mem = 8MB'];

const require = createRequire(import.meta.url);
const PGLITE_ENTRY = require.resolve('@electric-sql/pglite');

/** The installed PGlite's version (a template is only ever used by the PGlite that made it). */
export function pgliteVersion(): string {
  for (let dir = path.dirname(PGLITE_ENTRY); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      const json = JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string; version?: string };
      if (json.name === '@electric-sql/pglite' && json.version) return json.version;
    }
  }
  throw new Error(`cannot find the version of the PGlite at ${PGLITE_ENTRY}`);
}

/** The template of the installed PGlite in the user's cache folder (RETAIL_PULSE_CACHE_DIR, else XDG_CACHE_HOME or ~/.cache). */
export function clusterTemplate(): string {
  const cache =
    process.env.RETAIL_PULSE_CACHE_DIR ||
    path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'retail-pulse');
  return path.join(cache, `pglite-cluster-${pgliteVersion()}.tar.gz`);
}

/** Run by `node --input-type=module -e`: initdb in memory, the cluster dumped as a gzipped tar. */
const MAKE_TEMPLATE = `
const [entry, out] = process.argv.slice(1);
const { PGlite } = await import(entry);
const { writeFileSync } = await import('node:fs');
const db = await PGlite.create();
const tarball = await db.dumpDataDir('gzip');
await db.close();
writeFileSync(out, Buffer.from(await tarball.arrayBuffer()));
`;

/**
 * Makes `template` with the installed PGlite's initdb in a child process (about 8 s and 800 MB,
 * once per machine and PGlite version), saying so on stdout. Written under a temporary name and
 * renamed, so a crash leaves no half-made template.
 */
export async function makeClusterTemplate(template: string, say: (line: string) => void = console.log): Promise<void> {
  fs.mkdirSync(path.dirname(template), { recursive: true });
  const partial = `${template}.${process.pid}.partial`;
  say(
    `retail-pulse: making the embedded warehouse's cluster template for PGlite ${pgliteVersion()} (once per machine, about 10 s) in ${template}…`,
  );
  const t0 = Date.now();
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', MAKE_TEMPLATE, pathToFileURL(PGLITE_ENTRY).href, partial],
    { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0 || !fs.existsSync(partial)) {
    fs.rmSync(partial, { force: true });
    throw new Error(`PGlite's initdb failed (exit code ${code}): ${stderr.trim() || 'no message'}`);
  }
  fs.renameSync(partial, template);
  say(`retail-pulse: cluster template ready (${Math.round((Date.now() - t0) / 100) / 10} s).`);
}

/**
 * Opens PGlite on `dataDir`. A data dir that has no cluster yet is made from `template` (made
 * first when it is missing); a template this PGlite cannot open is made again once.
 */
export async function openPglite(
  dataDir: string,
  opts: { settings: readonly string[]; template?: string } & Pick<PGliteOptions, 'username'>,
): Promise<PGlite> {
  const create = () => PGlite.create({ dataDir, username: opts.username, postgresqlconf: [...opts.settings] });
  const empty = !fs.existsSync(dataDir) || fs.readdirSync(dataDir).length === 0;
  if (!empty || !opts.template) return create();
  const template = opts.template;
  for (let attempt = 1; ; attempt++) {
    if (!fs.existsSync(template)) await makeClusterTemplate(template);
    try {
      unpackCluster(template, dataDir);
      return await create();
    } catch (err) {
      // Unreadable, or from another PostgreSQL: made again by the installed PGlite.
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (attempt === 2) throw err;
      fs.rmSync(template, { force: true });
    }
  }
}

/**
 * Unpacks a gzipped tar of a cluster (as PGlite's dumpDataDir writes it: plain files and folders)
 * into `dir`. Entries are checked: nothing outside `dir`, no links, no lock file of the PostgreSQL
 * that made it. The folder is written under a temporary name and renamed, so a crash leaves no
 * half-made cluster.
 */
export function unpackCluster(tarball: string, dir: string): void {
  const tar = gunzipSync(fs.readFileSync(tarball));
  const partial = `${dir}.unpacking`;
  fs.rmSync(partial, { recursive: true, force: true });
  fs.mkdirSync(partial, { recursive: true });
  try {
    unpackInto(tar, partial, tarball);
  } catch (err) {
    fs.rmSync(partial, { recursive: true, force: true });
    throw err;
  }
  if (fs.existsSync(dir)) fs.rmdirSync(dir); // empty: openPglite checked
  fs.renameSync(partial, dir);
}

function unpackInto(tar: Buffer, partial: string, tarball: string): void {
  const root = path.resolve(partial);
  for (let at = 0; at + 512 <= tar.length;) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString('latin1')
        .replace(/\0.*$/s, '');
    const name = [field(345, 155), field(0, 100)].filter(Boolean).join('/');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1) || '0';
    const target = path.resolve(root, `.${path.posix.sep}${name}`);
    if (!Number.isFinite(size) || size < 0 || (target !== root && !target.startsWith(root + path.sep)))
      throw new Error(`${tarball}: entry ${JSON.stringify(name)} is not a file inside the cluster`);
    if (type === '5') fs.mkdirSync(target, { recursive: true });
    else if (type === '0') {
      if (path.basename(target) !== 'postmaster.pid') {
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, tar.subarray(at + 512, at + 512 + size));
      }
    } else
      throw new Error(
        `${tarball}: entry ${JSON.stringify(name)} has type ${JSON.stringify(type)}, not a file or folder`,
      );
    at += 512 + Math.ceil(size / 512) * 512;
  }
  if (!fs.existsSync(path.join(partial, 'PG_VERSION'))) throw new Error(`${tarball} holds no PostgreSQL cluster`);
}

/** What a cluster must share with the PGlite that opens it. */
export async function clusterIdentity(db: PGlite): Promise<{ server_version: string; catalog_version_no: number }> {
  const r = await db.query<{ server_version: string; catalog_version_no: number }>(
    `SELECT current_setting('server_version') AS server_version, catalog_version_no FROM pg_control_system()`,
  );
  return r.rows[0];
}

/** The size of PGlite's WASM heap (it only grows): what PostgreSQL holds, shared_buffers included. */
export function wasmHeapBytes(db: PGlite): number {
  // PGlite keeps its Emscripten module in a protected field: read, never written.
  const mod: unknown = Reflect.get(db, 'mod');
  const heap: unknown = mod && typeof mod === 'object' ? Reflect.get(mod, 'HEAPU8') : undefined;
  return heap instanceof Uint8Array ? heap.byteLength : 0;
}
