/**
 * One list of error codes for the whole engine. Errors carry enumerable fields so they survive
 * postMessage and IPC: a worker's failure reaches the UI with its code, not as a bare string.
 */
export const ERROR_CODES = [
  'config_invalid',
  'data_dir_locked',
  'broker_io',
  'broker_corrupt',
  'lake_io',
  'warehouse_failed',
  'metrics_failed',
  'stage_failed',
  'stage_state',
  'etl_busy',
  'not_found',
  'timeout',
  /** A query stopped because the user (or the app closing) asked it to. */
  'cancelled',
  /** Docker not installed, daemon not running, or its socket not permitted. */
  'docker_unavailable',
  'port_taken',
  'image_missing',
  /** A compose service whose health check never passed, or a one-shot that did not exit 0. */
  'unhealthy',
  /** The Docker daemon refused an operation for another reason (its message is kept). */
  'docker_failed',
  /** The lake's offsets and the log disagree in a way the stream must not guess about (see lakeCheckpoint). */
  'offsets_conflict',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The shape an error has once it crosses a thread or process boundary. */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  retriable: boolean;
  field?: string;
}

export class PulseError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly field?: string;

  constructor(code: ErrorCode, message: string, opts: { cause?: unknown; retriable?: boolean; field?: string } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'PulseError';
    this.code = code;
    this.retriable = opts.retriable ?? false;
    if (opts.field !== undefined) this.field = opts.field;
  }

  toInfo(): ErrorInfo {
    const info: ErrorInfo = { code: this.code, message: this.message, retriable: this.retriable };
    if (this.field !== undefined) info.field = this.field;
    return info;
  }
}

export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof PulseError) return err.toInfo();
  if (isErrorInfo(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'internal', message, retriable: false };
}

export function fromErrorInfo(info: ErrorInfo): PulseError {
  return new PulseError(info.code, info.message, { retriable: info.retriable, field: info.field });
}

function isErrorInfo(v: unknown): v is ErrorInfo {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as ErrorInfo).code === 'string' &&
    (ERROR_CODES as readonly string[]).includes((v as ErrorInfo).code) &&
    typeof (v as ErrorInfo).message === 'string'
  );
}
