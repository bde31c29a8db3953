// What `npm test` needs beyond the test servers: Debian's Chromium (the e2e session in web mode)
// and a running Docker engine (the infrastructure tests). Installed when missing, as root; a
// dockerd started here is stopped when the tests are done.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { aptInstall } from './services/apt';

const say = (line: string) => process.stderr.write(`prereqs: ${line}\n`);
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const dockerAnswers = () => spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0;

export async function ensureChromium(): Promise<void> {
  if (fs.existsSync('/usr/bin/chromium')) return;
  await aptInstall('chromium', ['chromium'], say);
}

/** Makes `docker info` answer; returns how to stop what was started (nothing if it was running). */
export async function ensureDocker(): Promise<() => Promise<void>> {
  if (has('docker') && dockerAnswers()) return async () => undefined;
  const missing = [
    ...(has('dockerd') && has('docker') ? [] : ['docker.io']),
    ...(fs.existsSync('/bin/busybox') ? [] : ['busybox-static']),
  ];
  if (missing.length) await aptInstall('docker', missing, say);
  if (dockerAnswers()) return async () => undefined;
  const log = path.join(os.tmpdir(), 'retail-pulse-dockerd.log');
  say(`starting dockerd (log: ${log})`);
  const out = fs.openSync(log, 'a');
  const daemon = spawn('dockerd', [], { stdio: ['ignore', out, out], detached: true });
  const exited = new Promise<void>((resolve) => daemon.on('exit', () => resolve()));
  for (let i = 0; i < 60 && !dockerAnswers(); i++) await new Promise((r) => setTimeout(r, 1000));
  if (!dockerAnswers()) {
    daemon.kill('SIGTERM');
    throw new Error(
      `dockerd did not start; the end of ${log}:\n${fs.readFileSync(log, 'utf8').split('\n').slice(-15).join('\n')}`,
    );
  }
  return async () => {
    say('stopping the dockerd this run started');
    daemon.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
  };
}
