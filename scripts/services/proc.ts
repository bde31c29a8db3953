import { spawn, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Starts a server in its own process group (so a Ctrl-C meant for the test run does not reach it
 * and `up` can exit while it keeps running), its output appended to a log file.
 */
export function spawnServer(command: string, args: string[], logFile: string, options: SpawnOptions = {}): number {
  const fd = fs.openSync(logFile, 'a');
  try {
    const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', fd, fd] });
    child.on('error', (err) => fs.appendFileSync(logFile, `\nspawn ${command} failed: ${err.message}\n`));
    child.unref();
    if (child.pid === undefined) throw new Error(`could not spawn ${command}`);
    return child.pid;
  } finally {
    fs.closeSync(fd);
  }
}

/** Runs a command to completion; rejects with the tail of its output when it fails. */
export function run(command: string, args: string[], options: SpawnOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr?.on('data', (b: Buffer) => (output += b.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve(output);
      else reject(new Error(`\`${[command, ...args].join(' ')}\` exited with ${code ?? signal}\n${tail(output, 30)}`));
    });
  });
}

/** True when `command` is on PATH (or is an existing path). */
export function onPath(command: string): boolean {
  if (command.includes('/')) return fs.existsSync(command);
  return (process.env.PATH ?? '').split(':').some((dir) => dir !== '' && fs.existsSync(`${dir}/${command}`));
}

/** Alive, not a zombie, and its command line contains `marker` (pids get reused). */
export function isOurs(pid: number | undefined, marker: string): pid is number {
  if (pid === undefined || pid <= 0) return false;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').includes(marker);
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, sig);
      return;
    } catch {
      // not a group leader, or gone already
    }
  }
}

/** SIGTERM to the server's process group, SIGKILL when it has not exited after `graceMs`. */
export async function terminate(pid: number, graceMs: number): Promise<void> {
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await sleep(100);
  if (!alive(pid)) return;
  signal(pid, 'SIGKILL');
  while (alive(pid)) await sleep(50);
}

/** Resident memory of a process in MiB, or undefined when it is gone. */
export function rssMiB(pid: number): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Math.round(Number(kb) / 1024);
  } catch {
    return undefined;
  }
}

/** True when something already listens on 127.0.0.1:port (or holds it some other way). */
export function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(true));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(false)));
  });
}

export function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export function logTail(file: string, lines = 25): string {
  try {
    const size = fs.statSync(file).size;
    const fd = fs.openSync(file, 'r');
    try {
      const length = Math.min(size, 64 * 1024);
      const buf = Buffer.alloc(length);
      fs.readSync(fd, buf, 0, length, size - length);
      return tail(buf.toString('utf8'), lines);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
}

/** Polls `probe` until it resolves; fails when `stillAlive` says the process died or the deadline passes. */
export async function waitUntil(
  probe: () => Promise<void>,
  stillAlive: () => boolean,
  deadline: number,
  what: string,
): Promise<void> {
  let last: unknown;
  for (;;) {
    if (!stillAlive()) throw new Error(`${what} exited before it was ready`);
    try {
      await probe();
      return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`${what} not ready in time (last error: ${last instanceof Error ? last.message : String(last)})`);
    await sleep(300);
  }
}

/** Runs async steps one at a time (apt and Maven must not run twice at once). */
export function serialized(): <T>(step: () => Promise<T>) => Promise<T> {
  let chain: Promise<unknown> = Promise.resolve();
  return <T>(step: () => Promise<T>): Promise<T> => {
    const next = chain.then(step, step);
    chain = next.catch(() => undefined);
    return next;
  };
}
