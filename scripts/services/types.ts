/** The real servers `npm run services:test` runs for the tests, in the order they are listed. */
export const SERVICE_NAMES = ['kafka', 'kafka39', 's3', 'postgres', 'redis'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export function isServiceName(name: string): name is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(name);
}

/** What a service remembers between runs, in `<state>/<name>/service.json`. */
export interface ServiceMeta {
  /** Ports of its current (or last) run: status reports these, and a restart reuses them whatever the environment says now. */
  ports?: number[];
  pid?: number;
  /** Software version, where there is a choice (Kafka). */
  version?: string;
  /** Where PostgreSQL keeps its cluster (outside the state dir when the postgres user cannot reach it). */
  home?: string;
}

/** One kind of server. Every step may be called again: each checks what is already there. */
export interface Service {
  readonly name: ServiceName;
  /** Installs or fetches what is missing (apt, Maven, pip). */
  install(say: (line: string) => void): Promise<void>;
  /** Starts it on its ports, creating its data the first time. Returns once the process is spawned. */
  start(say: (line: string) => void): Promise<void>;
  /** Resolves once a real request succeeds; rejects when the process died or the deadline passed. */
  ready(deadline: number): Promise<void>;
  /** Stops it, keeping its data. */
  stop(): Promise<void>;
  /** True when its process is alive (ours, not a stranger's that reused the pid). */
  running(): boolean;
  /** Removes its data (after stop). */
  remove(): void;
  address(): string;
  /** Main process id, when running. */
  pid(): number | undefined;
  version(): string | undefined;
  ports(): number[];
  logFile(): string;
}

/** A failure that names its service and carries the tail of its log. */
export class ServiceError extends Error {
  constructor(
    readonly service: string,
    message: string,
    readonly logTail?: string,
    options?: { cause?: unknown },
  ) {
    super(`${service}: ${message}`, options);
    this.name = 'ServiceError';
  }
}
