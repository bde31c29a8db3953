import fs from 'node:fs';
import path from 'node:path';

/**
 * Where the real test servers are. `npm run services:test -- up` starts them on 127.0.0.1 and writes
 * their addresses to the state file; an environment variable per service overrides it
 * (RETAIL_PULSE_TEST_KAFKA, _KAFKA39, _S3, _POSTGRES, _REDIS). A test that needs a server and finds
 * none fails with what to run: it is never skipped.
 */
export interface TestServices {
  /** Newest Apache Kafka broker, host:port. */
  kafka: string;
  /** Apache Kafka 3.9.x broker, host:port. */
  kafka39: string;
  /** moto S3 server, http URL. */
  s3: string;
  /** PostgreSQL server URL of a database the tests may create databases from. */
  postgres: string;
  /** Redis URL. */
  redis: string;
}

export type TestServiceName = keyof TestServices;

export function servicesStateDir(): string {
  return process.env.RETAIL_PULSE_SERVICES_DIR ?? path.resolve('.services');
}

const ENV: Record<TestServiceName, string> = {
  kafka: 'RETAIL_PULSE_TEST_KAFKA',
  kafka39: 'RETAIL_PULSE_TEST_KAFKA39',
  s3: 'RETAIL_PULSE_TEST_S3',
  postgres: 'RETAIL_PULSE_TEST_POSTGRES',
  redis: 'RETAIL_PULSE_TEST_REDIS',
};

function fromStateFile(): Partial<TestServices> {
  try {
    return JSON.parse(fs.readFileSync(path.join(servicesStateDir(), 'status.json'), 'utf8')) as Partial<TestServices>;
  } catch {
    return {};
  }
}

/** The address of one test server, or an error that says how to start it. */
export function testService(name: TestServiceName): string {
  const fromEnv = process.env[ENV[name]];
  if (fromEnv) return fromEnv;
  const url = fromStateFile()[name];
  if (typeof url === 'string' && url !== '') return url;
  throw new Error(`no ${name} test server: run \`npm run services:test -- up\` (or set ${ENV[name]})`);
}

function assertOurs(name: TestServiceName): void {
  if (process.env[ENV[name]])
    throw new Error(
      `${name} comes from ${ENV[name]}: a server this repo did not start cannot be stopped or started by the tests`,
    );
}

/**
 * Stops one test server started by `npm run services:test -- up`, keeping its data: for fault tests.
 * Kafka and PostgreSQL come back with theirs; moto's S3 and Redis keep nothing in memory across it.
 */
export async function stopTestService(name: TestServiceName): Promise<void> {
  assertOurs(name);
  // Loaded on demand: most tests only read addresses and need none of the control code.
  const control = await import('../../scripts/services/control');
  await control.stop(name, () => undefined);
}

/** Starts a server stopped by stopTestService on the same port, waits until it answers, and returns its address. */
export async function startTestService(name: TestServiceName): Promise<string> {
  assertOurs(name);
  const control = await import('../../scripts/services/control');
  return control.start(name, () => undefined);
}
