import type { ErrorInfo } from '../../../engine/contract';

/** A Host error with its code (and the field it is about), as either transport delivers it. */
export class HostCallError extends Error {
  readonly code: ErrorInfo['code'];
  readonly field?: string;

  constructor(readonly info: ErrorInfo) {
    super(info.message);
    this.name = 'HostCallError';
    this.code = info.code;
    if (info.field !== undefined) this.field = info.field;
  }
}

/** The code and field of whatever a call rejected with. */
export function errorInfo(err: unknown): ErrorInfo {
  if (err instanceof HostCallError) return err.info;
  return { code: 'internal', message: err instanceof Error ? err.message : String(err), retriable: false };
}
