import { PulseError } from '../../errors';
import { isNetworkError } from '../../util/netErrors';
import { maskSecrets, withoutCredentials } from '../../util/redact';

/**
 * What an S3 failure means to a user of the lake: 'not_found' for a missing key, else 'lake_io',
 * retriable when the network or the server failed; every message names the bucket and endpoint,
 * never a secret.
 */
export class S3Errors {
  constructor(
    private readonly opts: { endpoint?: string; region?: string; secretAccessKey?: string },
    private readonly location: string,
  ) {}

  /** The failure as a PulseError: 'not_found' for a missing key, else 'lake_io', retriable when the network or server failed. */
  fail(what: string, err: unknown, key?: string): PulseError {
    const status = statusOf(err);
    const name = (err as Error | undefined)?.name;
    if (key !== undefined && (status === 404 || name === 'NoSuchKey' || name === 'NotFound')) {
      return new PulseError('not_found', `lake object ${key} does not exist in ${this.location}`, { cause: err });
    }
    if (err instanceof PulseError) return err;
    return new PulseError('lake_io', `${what} ${this.location} at ${this.endpointName()}: ${this.describe(err)}`, {
      cause: err,
      retriable: isRetriable(err),
    });
  }

  /** The endpoint for messages, without any user:password it might carry. */
  endpointName(): string {
    const { endpoint, region } = this.opts;
    if (!endpoint) return `AWS S3 (${region ?? 'us-east-1'})`;
    return this.redact(withoutCredentials(endpoint));
  }

  describe(err: unknown): string {
    const e = err as
      { name?: string; code?: string; message?: string; errors?: { code?: string; message?: string }[] } | undefined;
    // Connection failures to 'localhost' arrive as an AggregateError (IPv4 and IPv6) with an empty message.
    const inner = e?.errors?.[0];
    const code = e?.code ?? inner?.code ?? e?.name ?? 'Error';
    const status = statusOf(err);
    const message = e?.message || inner?.message || '';
    return this.redact([code, status ? `HTTP ${status}` : '', message].filter((s) => s !== '').join(': '));
  }

  private redact(text: string): string {
    return maskSecrets(text, this.opts.secretAccessKey);
  }

  /** Why the bucket cannot be opened, with what to check. */
  openError(where: string, err: unknown): PulseError {
    const status = statusOf(err);
    const reason = this.describe(err);
    if (status === 403 || status === 401) {
      return new PulseError(
        'lake_io',
        `S3 refused access to ${where} (${reason}). Check the access key and secret, and that they may use this bucket.`,
        { cause: err },
      );
    }
    if (status === 301 || status === 400) {
      return new PulseError(
        'lake_io',
        `S3 rejected ${where} (${reason}). Check the region (${this.opts.region ?? 'us-east-1'}), the bucket name and path-style addressing.`,
        { cause: err },
      );
    }
    return new PulseError(
      'lake_io',
      `cannot reach ${where} (${reason}). Check that the S3 server is running and the endpoint is right.`,
      {
        cause: err,
        retriable: true,
      },
    );
  }
}

export function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

const RETRIABLE_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'SlowDown',
  'ThrottlingException',
  'InternalError',
  'ServiceUnavailable',
]);

export function isRetriable(err: unknown): boolean {
  const e = err as { name?: string } | undefined;
  const status = statusOf(err);
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  return isNetworkError(err) || (e?.name !== undefined && RETRIABLE_NAMES.has(e.name));
}
