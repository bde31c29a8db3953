/**
 * The Docker Engine API through dockerode, and what its failures mean to a user: every way of not
 * reaching the daemon becomes one `docker_unavailable` error that says what to do.
 */
import fs from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { PulseError } from '../errors';

export interface DockerTarget {
  docker: Docker;
  /** Where the daemon is, for messages: unix:///var/run/docker.sock, tcp://…. */
  where: string;
  /** True when the daemon shares this machine's network (a local socket): ports can be checked here. */
  local: boolean;
}

const DEFAULT_SOCKET = '/var/run/docker.sock';

export function dockerTarget(env: NodeJS.ProcessEnv = process.env): DockerTarget {
  const host = env.DOCKER_HOST;
  if (!host || host.startsWith('unix://')) {
    const socketPath = host ? host.slice('unix://'.length) || DEFAULT_SOCKET : DEFAULT_SOCKET;
    return {
      docker: new Docker({ socketPath }),
      where: `unix://${socketPath}${host ? ' (DOCKER_HOST)' : ''}`,
      local: true,
    };
  }
  const m = /^(tcp|http|https):\/\/([^:/]+)(?::(\d+))?/.exec(host);
  if (!m)
    throw new PulseError(
      'docker_unavailable',
      `DOCKER_HOST=${host} is not an address Retail Pulse understands: use unix:///path/to/docker.sock or tcp://host:port`,
    );
  const protocol = m[1] === 'https' || env.DOCKER_TLS_VERIFY ? 'https' : 'http';
  return {
    docker: new Docker({ host: m[2], port: Number(m[3] ?? (protocol === 'https' ? 2376 : 2375)), protocol }),
    where: `${host} (DOCKER_HOST)`,
    local: ['127.0.0.1', 'localhost'].includes(m[2]),
  };
}

function onPath(bin: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((d) => d && fs.existsSync(path.join(d, bin)));
}

/** The daemon answers within a few seconds, or the reason it does not, as a PulseError. */
export async function pingDocker(target: DockerTarget, timeoutMs = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      target.docker.ping(),
      new Promise(
        (_, reject) =>
          (timer = setTimeout(() => reject(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })), timeoutMs)),
      ),
    ]);
  } catch (err) {
    throw unreachable(target, err);
  } finally {
    clearTimeout(timer);
  }
}

export function unreachable(target: DockerTarget, err: unknown): PulseError {
  const code = (err as { code?: string }).code;
  const installed = onPath('docker') || onPath('dockerd') || fs.existsSync(DEFAULT_SOCKET);
  let message: string;
  if (code === 'EACCES' || code === 'EPERM') {
    message = `Docker refused access to ${target.where}: add your user to the docker group (sudo usermod -aG docker $USER, then log in again) or run as root`;
  } else if (!installed && !target.where.includes('DOCKER_HOST')) {
    message =
      'Docker is not installed: install Docker Engine (Debian/Ubuntu: sudo apt-get install docker.io; elsewhere Docker Desktop), start it, then try again';
  } else if (code === 'ENOENT' || code === 'ECONNREFUSED') {
    message = `the Docker daemon is not running (nothing answers at ${target.where}): start it (sudo systemctl start docker, or open Docker Desktop)${target.where.includes('DOCKER_HOST') ? ', or point DOCKER_HOST at a running daemon' : ''}, then try again`;
  } else if (code === 'ETIMEDOUT') {
    message = `the Docker daemon at ${target.where} did not answer within 5 s: check that it is running and healthy (docker info), then try again`;
  } else {
    message = `cannot reach the Docker daemon at ${target.where}: ${(err as Error).message ?? String(err)}; check it with docker info`;
  }
  return new PulseError('docker_unavailable', message, { cause: err, retriable: true });
}

/** Docker's status code on an API error (404 for "no such …", 409 for conflicts), if any. */
export function statusOf(err: unknown): number | undefined {
  return (err as { statusCode?: number }).statusCode;
}

export function isConnectionError(err: unknown): boolean {
  return ['ENOENT', 'ECONNREFUSED', 'EACCES', 'EPERM', 'ECONNRESET', 'EPIPE'].includes(
    (err as { code?: string }).code ?? '',
  );
}

/** Docker's JSON error text ("port is already allocated", …) without dockerode's prefix. */
export function dockerMessage(err: unknown): string {
  const json = (err as { json?: { message?: string } }).json;
  return (json?.message ?? (err as Error).message ?? String(err)).replace(/^\(HTTP code \d+\)[^-]*- /, '').trim();
}

/**
 * Splits Docker's multiplexed log stream (containers without a TTY): each frame is an 8-byte
 * header (stream 1 = stdout, 2 = stderr; big-endian length) then the payload. Feed it chunks as
 * they come; it returns the whole frames so far.
 */
export class LogDemuxer {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): { stream: 'stdout' | 'stderr'; data: Buffer }[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const frames: { stream: 'stdout' | 'stderr'; data: Buffer }[] = [];
    while (this.buf.length >= 8) {
      const size = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + size) break;
      frames.push({ stream: this.buf[0] === 2 ? 'stderr' : 'stdout', data: this.buf.subarray(8, 8 + size) });
      this.buf = this.buf.subarray(8 + size);
    }
    return frames;
  }
}
