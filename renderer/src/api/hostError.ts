import type { ErrorInfo } from '../../../engine/errors';

/** A Host error with its code, as either transport delivers it. */
export class HostCallError extends Error {
  constructor(readonly info: ErrorInfo) {
    super(info.message);
    this.name = 'HostCallError';
  }
}
