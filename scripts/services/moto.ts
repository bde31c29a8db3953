import fs from 'node:fs';
import path from 'node:path';
import { aptInstall } from './apt';
import { cacheDir, configuredPorts, readMeta, serviceDir, updateMeta } from './config';
import { isOurs, run, spawnServer, terminate, waitUntil } from './proc';
import type { Service } from './types';

/** moto's S3 (in memory: a restart starts with no buckets). Pinned so every machine runs the same server. */
export const MOTO_VERSION = '5.2.5';

export function motoVenv(): string {
  return path.join(cacheDir(), 'moto-venv');
}

function installed(): boolean {
  const lib = path.join(motoVenv(), 'lib');
  if (!fs.existsSync(path.join(motoVenv(), 'bin', 'moto_server')) || !fs.existsSync(lib)) return false;
  return fs
    .readdirSync(lib)
    .some((py) => fs.existsSync(path.join(lib, py, 'site-packages', `moto-${MOTO_VERSION}.dist-info`)));
}

export function motoService(): Service {
  const name = 's3';
  const dir = () => serviceDir(name);
  const logFile = () => path.join(dir(), 'moto.log');
  const ports = () => configuredPorts(name);
  const marker = () => `moto_server -H 127.0.0.1 -p ${ports()[0]}`;

  return {
    name,
    ports,
    logFile,
    version: () => MOTO_VERSION,
    address: () => `http://127.0.0.1:${ports()[0]}`,
    pid: () => readMeta(name)?.pid,
    running: () => isOurs(readMeta(name)?.pid, marker()),

    async install(say) {
      if (installed()) return;
      say(`${name}: installing moto[server]==${MOTO_VERSION} into ${motoVenv()}`);
      const venvPython = path.join(motoVenv(), 'bin', 'python');
      if (!fs.existsSync(venvPython)) {
        try {
          await run('python3', ['-m', 'venv', motoVenv()]);
        } catch {
          // Debian's python3 makes venvs only with python3-venv installed.
          fs.rmSync(motoVenv(), { recursive: true, force: true });
          await aptInstall(name, ['python3-venv'], say);
          await run('python3', ['-m', 'venv', motoVenv()]);
        }
      }
      await run(venvPython, ['-m', 'pip', 'install', '-q', `moto[server]==${MOTO_VERSION}`]);
      if (!installed()) throw new Error(`pip finished but moto ${MOTO_VERSION} is not in ${motoVenv()}`);
    },

    async start() {
      fs.mkdirSync(dir(), { recursive: true });
      const [port] = ports();
      const pid = spawnServer(
        path.join(motoVenv(), 'bin', 'moto_server'),
        ['-H', '127.0.0.1', '-p', String(port)],
        logFile(),
        { cwd: dir() },
      );
      updateMeta(name, { ports: ports(), pid });
    },

    async ready(deadline) {
      await waitUntil(
        async () => {
          const res = await fetch(`http://127.0.0.1:${ports()[0]}/`, { signal: AbortSignal.timeout(3000) });
          await res.arrayBuffer();
          if (!res.ok) throw new Error(`GET / answered ${res.status}`);
        },
        () => isOurs(readMeta(name)?.pid, marker()),
        deadline,
        'moto_server',
      );
    },

    async stop() {
      const pid = readMeta(name)?.pid;
      if (isOurs(pid, marker())) await terminate(pid, 10_000);
      updateMeta(name, { pid: undefined });
    },

    remove() {
      fs.rmSync(dir(), { recursive: true, force: true });
    },
  };
}
