/** The contract's Infrastructure types (docker-compose.yml driven through the Docker Engine API); engine/contract.ts re-exports them. */

export type InfraContainerState =
  'missing' | 'created' | 'running' | 'restarting' | 'paused' | 'exited' | 'dead' | 'removing';
export type InfraHealth = 'healthy' | 'unhealthy' | 'starting' | 'none';

export interface InfraServiceStatus {
  service: string;
  /** Container name (<project>-<service>-1), null when it does not exist. */
  container: string | null;
  image: string;
  state: InfraContainerState;
  health: InfraHealth;
  /** Exit code of a stopped container (a one-shot service succeeded when 0). */
  exitCode: number | null;
  oneShot: boolean;
  ports: { hostIp: string; hostPort: number; containerPort: number }[];
  /** Epoch ms the container last started, null when it never ran. */
  startedAt: number | null;
  uptimeMs: number | null;
  /** The last log lines of a container that exited non-zero or keeps restarting (empty otherwise). */
  lastLines: string[];
  /** Docker's last health-check results (up to 5), oldest first. */
  healthChecks: { at: number; exitCode: number; output: string }[];
  /** State and health changes this Host has seen (oldest first, at most 50). */
  history: InfraHealthSample[];
}

export interface InfraHealthSample {
  at: number;
  state: InfraContainerState;
  health: InfraHealth;
}

export interface InfraStatus {
  project: string;
  composeFile: string;
  services: InfraServiceStatus[];
}

export interface InfraProgress {
  project: string;
  service?: string;
  step:
    | 'pull'
    | 'build'
    | 'network'
    | 'volume'
    | 'create'
    | 'start'
    | 'health'
    | 'ready'
    | 'stop'
    | 'remove'
    | 'rollback'
    | 'warning';
  message: string;
  /** Pull progress of one image layer. */
  layer?: string;
  current?: number;
  total?: number;
  at: number;
}

export interface InfraLogLine {
  service: string;
  stream: 'stdout' | 'stderr';
  /** Docker's RFC 3339 timestamp of the line. */
  time: string;
  line: string;
}

export interface InfraServiceStats {
  service: string;
  cpuPercent: number;
  memoryBytes: number;
  memoryLimitBytes: number;
}

/** Services the Host can run on the compose stack instead of embedded. */
export type DockerBackedService = 'broker' | 'lake' | 'warehouse' | 'metrics';
export type ServiceModes = Record<DockerBackedService, 'embedded' | 'docker' | 'external'>;
