/**
 * Node's codes for a failed connection (refused, reset, timed out, name not resolved, no route):
 * the server may come back, so a retry can work. One list for every client that asks.
 */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * The network code of an error, wherever the client put it: on the error, on the first of an
 * AggregateError's errors (a connection to 'localhost' tries IPv4 and IPv6 and fails with both),
 * or on its cause.
 */
export function networkErrorCode(err: unknown): string | null {
  const e = err as { code?: unknown; errors?: { code?: unknown }[]; cause?: { code?: unknown } } | null | undefined;
  for (const code of [e?.code, e?.errors?.[0]?.code, e?.cause?.code])
    if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return code;
  return null;
}

export function isNetworkError(err: unknown): boolean {
  return networkErrorCode(err) !== null;
}
