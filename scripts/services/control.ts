import fs from 'node:fs';
import path from 'node:path';
import { portVariables, stateDir, updateMeta } from './config';
import { kafkaService } from './kafka';
import { motoService } from './moto';
import { postgresService } from './postgres';
import { logTail, portTaken, rssMiB } from './proc';
import { redisService } from './redis';
import { SERVICE_NAMES, ServiceError, isServiceName, type Service, type ServiceName } from './types';

/** How long one service may take from spawn to a successful request (a cold JVM on two cores). */
const READY_TIMEOUT_MS = Number(process.env.RETAIL_PULSE_SERVICES_TIMEOUT_MS ?? 120_000);

const SERVICES: Record<ServiceName, Service> = {
  kafka: kafkaService('kafka'),
  kafka39: kafkaService('kafka39'),
  s3: motoService(),
  postgres: postgresService(),
  redis: redisService(),
};

export type Say = (line: string) => void;
const toStderr: Say = (line) => process.stderr.write(`services: ${line}\n`);

/** The addresses of the running services: the shape of status.json (a stopped service is absent). */
export type Addresses = Partial<Record<ServiceName, string>>;

export interface ServiceStatus {
  name: ServiceName;
  running: boolean;
  address: string;
  pid?: number;
  version?: string;
  rssMiB?: number;
  log: string;
}

/** What a failed command tells a person: each failing service, and the tail of its log. */
export function describeFailure(err: unknown): string {
  const errors = err instanceof AggregateError ? err.errors : [err];
  return errors
    .map((e) => {
      const head = `services: ${e instanceof Error ? e.message : String(e)}\n`;
      return e instanceof ServiceError && e.logTail
        ? `${head}--- last lines of ${e.service}'s log ---\n${e.logTail}\n---\n`
        : head;
    })
    .join('');
}

/** `undefined` means every service; an empty list means none (a caller that started nothing stops nothing). */
function pick(names: readonly string[] | undefined): ServiceName[] {
  if (names === undefined) return [...SERVICE_NAMES];
  const unknown = names.filter((n) => !isServiceName(n));
  if (unknown.length > 0) throw new Error(`unknown service ${unknown.join(', ')} (known: ${SERVICE_NAMES.join(', ')})`);
  return [...new Set(names as ServiceName[])];
}

function wrap(name: ServiceName, err: unknown): ServiceError {
  if (err instanceof ServiceError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ServiceError(name, message, logTail(SERVICES[name].logFile()) || undefined, { cause: err });
}

/** Rewrites status.json from what is running now, so it never names a dead server. */
function writeStatusFile(): Addresses {
  const addresses = addressesOfRunning();
  const file = path.join(stateDir(), 'status.json');
  if (Object.keys(addresses).length === 0 && !fs.existsSync(stateDir())) return addresses;
  fs.mkdirSync(stateDir(), { recursive: true });
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(addresses, null, 2)}\n`);
  fs.renameSync(`${file}.tmp`, file);
  return addresses;
}

function addressesOfRunning(): Addresses {
  const addresses: Addresses = {};
  for (const name of SERVICE_NAMES) if (SERVICES[name].running()) addresses[name] = SERVICES[name].address();
  return addresses;
}

async function assertPortsFree(service: Service): Promise<void> {
  const variables = portVariables(service.name);
  for (const [i, port] of service.ports().entries()) {
    if (await portTaken(port)) {
      throw new ServiceError(
        service.name,
        `port ${port} on 127.0.0.1 is taken by a process that is not ours (choose another with ${variables[i]}, or run \`down\` first if an old state dir was removed by hand)`,
      );
    }
  }
}

/**
 * Starts a stopped service on its ports and waits until it answers. One that fails is stopped
 * (no half-started server is left behind) and forgets its ports, so the next try reads them anew.
 */
async function bringUp(service: Service, say: Say): Promise<void> {
  const begin = Date.now();
  await assertPortsFree(service);
  say(`${service.name}: starting on ${service.address()}`);
  try {
    await service.start(say);
    await service.ready(Date.now() + READY_TIMEOUT_MS);
  } catch (err) {
    const failure = wrap(service.name, err);
    await service.stop().catch(() => undefined);
    updateMeta(service.name, { ports: undefined, pid: undefined });
    throw failure;
  }
  say(`${service.name}: ready in ${((Date.now() - begin) / 1000).toFixed(1)}s (${service.version() ?? ''})`);
}

export interface UpResult {
  /** Services this call started: the ones a caller that wants to leave things as it found them stops. */
  started: ServiceName[];
  /** Services that were running already. */
  reused: ServiceName[];
  addresses: Addresses;
}

/**
 * Installs what is missing and starts the named services (all by default) in parallel. Running ones
 * are reused. Rejects with an AggregateError of ServiceErrors when any fails; the others stay up.
 */
export async function up(names?: readonly string[], say: Say = toStderr): Promise<UpResult> {
  const chosen = pick(names);
  const started: ServiceName[] = [];
  const reused: ServiceName[] = [];
  const results = await Promise.allSettled(
    chosen.map(async (name) => {
      const service = SERVICES[name];
      try {
        if (service.running()) {
          await service.ready(Date.now() + READY_TIMEOUT_MS);
          say(`${name}: already running on ${service.address()}`);
          reused.push(name);
          return;
        }
        await service.install(say);
        started.push(name);
        await bringUp(service, say);
      } catch (err) {
        throw wrap(name, err);
      }
    }),
  );
  const addresses = writeStatusFile();
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as ServiceError] : []));
  if (failures.length > 0) {
    throw Object.assign(new AggregateError(failures, `${failures.map((f) => f.service).join(', ')} failed to start`), {
      started,
    });
  }
  return { started, reused, addresses };
}

/** Stops the named services (all by default) and removes their state. */
export async function down(names?: readonly string[], say: Say = toStderr): Promise<void> {
  const chosen = pick(names);
  await Promise.all(
    chosen.map(async (name) => {
      const service = SERVICES[name];
      if (service.running()) {
        say(`${name}: stopping`);
        await service.stop();
      }
      service.remove();
    }),
  );
  writeStatusFile();
  // The state dir goes with the last service's state (a stopped one keeps its data until its own down).
  if (!SERVICE_NAMES.some((name) => fs.existsSync(path.join(stateDir(), name))))
    fs.rmSync(stateDir(), { recursive: true, force: true });
}

/** Stops one service and keeps its data, for fault tests. */
export async function stop(name: string, say: Say = toStderr): Promise<void> {
  const [service] = pick([name]).map((n) => SERVICES[n]);
  try {
    if (service.running()) {
      say(`${service.name}: stopping (data kept)`);
      await service.stop();
    }
  } catch (err) {
    throw wrap(service.name, err);
  } finally {
    writeStatusFile();
  }
}

/** Starts one service stopped by `stop`, on the same ports and with its data. */
export async function start(name: string, say: Say = toStderr): Promise<string> {
  const [service] = pick([name]).map((n) => SERVICES[n]);
  try {
    if (!service.running()) {
      await service.install(say);
      await bringUp(service, say);
    }
    return service.address();
  } catch (err) {
    throw wrap(service.name, err);
  } finally {
    writeStatusFile();
  }
}

/** The running services' addresses, as `status --json` prints them. */
export function addresses(): Addresses {
  return addressesOfRunning();
}

export function status(): ServiceStatus[] {
  return SERVICE_NAMES.map((name) => {
    const service = SERVICES[name];
    const running = service.running();
    const pid = running ? service.pid() : undefined;
    return {
      name,
      running,
      address: service.address(),
      pid,
      version: service.version(),
      rssMiB: pid === undefined ? undefined : rssMiB(pid),
      log: service.logFile(),
    };
  });
}
