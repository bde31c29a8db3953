import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { InfraProgress } from '../../contract';
import { Stack, type StackOptions } from '../stack';
import { ensureTestImage } from './testImage';

export const TEST_COMPOSE = fileURLToPath(new URL('../testdata/compose.yml', import.meta.url));
export const SPARK_COMPOSE = fileURLToPath(new URL('../testdata/spark-stack/docker-compose.yml', import.meta.url));
export const WEB_COMPOSE = fileURLToPath(new URL('../testdata/web-app/compose.yml', import.meta.url));
export const PIPELINE_COMPOSE = fileURLToPath(new URL('../testdata/pipeline/compose.yml', import.meta.url));

let n = 0;
const projects = new Set<string>();
// At module level, so it runs when the importing test file is done (inside a test it would run after that test only).
after(() => projects.forEach(removeProject));

/** Removes the project (containers, networks, volumes, built images) when the test file is done. */
export function removeProjectAfter(project: string): void {
  projects.add(project);
}

/** `docker …` as a user would type it, to prove what others see. */
export function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8' }).trim();
}

/** Every container, network and volume labelled with the project, as `docker` lists them. */
export function leftovers(project: string): string[] {
  const filter = `label=com.docker.compose.project=${project}`;
  return [
    ...docker('ps', '-a', '--filter', filter, '--format', '{{.Names}}').split('\n'),
    ...docker('network', 'ls', '--filter', filter, '--format', '{{.Name}}').split('\n'),
    ...docker('volume', 'ls', '--filter', filter, '--format', '{{.Name}}').split('\n'),
  ].filter(Boolean);
}

export async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** A stack of the test compose file under a project name of its own, removed (with volumes) after the file's tests. */
export async function testStack(
  opts: Partial<StackOptions> & { env?: NodeJS.ProcessEnv } = {},
): Promise<{ stack: Stack; events: InfraProgress[]; project: string; port: number }> {
  ensureTestImage();
  const project = opts.projectName ?? `rp-test-${process.pid}-${++n}`;
  projects.add(project);
  const port = Number(opts.env?.APP_PORT ?? (await freePort()));
  const events: InfraProgress[] = [];
  const stack = new Stack({
    composeFile: TEST_COMPOSE,
    ...opts,
    projectName: project,
    env: { ...process.env, APP_PORT: String(port), ...opts.env },
    onProgress: (p) => events.push(p),
  });
  return { stack, events, project, port };
}

export function removeProject(project: string): void {
  const filter = `label=com.docker.compose.project=${project}`;
  const ids = (kind: string[]) =>
    docker(...kind, '--filter', filter, '-q')
      .split('\n')
      .filter(Boolean);
  const containers = ids(['ps', '-a']);
  if (containers.length) docker('rm', '-f', '-v', ...containers);
  const networks = ids(['network', 'ls']);
  if (networks.length) docker('network', 'rm', ...networks);
  const volumes = ids(['volume', 'ls']);
  if (volumes.length) docker('volume', 'rm', ...volumes);
  // Images built for the project's services (`build:`), as `docker compose down --rmi local` would.
  const images = ids(['images']);
  if (images.length) docker('rmi', '-f', ...new Set(images));
}
