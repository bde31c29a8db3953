import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { aptInstall } from './apt';
import { configuredPorts, readMeta, serviceDir, updateMeta } from './config';
import { isOurs, onPath, run, spawnServer, terminate, waitUntil } from './proc';
import type { Service } from './types';

/** PING over a raw socket: the readiness probe needs no client library. */
function ping(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(2000, () => socket.destroy(new Error('PING timed out')));
    socket.once('error', reject);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      if (data.toString().startsWith('+PONG')) resolve();
      else reject(new Error(`PING answered ${data.toString().trim()}`));
    });
  });
}

export function redisService(): Service {
  const name = 'redis';
  const dir = () => serviceDir(name);
  const logFile = () => path.join(dir(), 'redis.log');
  const ports = () => configuredPorts(name);
  const marker = () => `127.0.0.1:${ports()[0]}`;

  return {
    name,
    ports,
    logFile,
    version: () => readMeta(name)?.version,
    address: () => `redis://127.0.0.1:${ports()[0]}`,
    pid: () => readMeta(name)?.pid,
    running: () => isOurs(readMeta(name)?.pid, marker()) && isOurs(readMeta(name)?.pid, 'redis-server'),

    async install(say) {
      if (!onPath('redis-server')) await aptInstall(name, ['redis-server'], say);
    },

    async start() {
      fs.mkdirSync(path.join(dir(), 'data'), { recursive: true });
      const [port] = ports();
      const version = /v=(\S+)/.exec(await run('redis-server', ['--version']))?.[1];
      // No persistence: tests start from an empty Redis, and stop/start does not promise its keys.
      const pid = spawnServer(
        'redis-server',
        [
          '--bind',
          '127.0.0.1',
          '--port',
          String(port),
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          path.join(dir(), 'data'),
          '--daemonize',
          'no',
        ],
        logFile(),
        { cwd: dir() },
      );
      updateMeta(name, { ports: ports(), pid, version });
    },

    async ready(deadline) {
      await waitUntil(
        () => ping(ports()[0]),
        () => isOurs(readMeta(name)?.pid, 'redis-server'),
        deadline,
        'redis-server',
      );
    },

    async stop() {
      const pid = readMeta(name)?.pid;
      if (isOurs(pid, 'redis-server')) await terminate(pid, 10_000);
      updateMeta(name, { pid: undefined });
    },

    remove() {
      fs.rmSync(dir(), { recursive: true, force: true });
    },
  };
}
