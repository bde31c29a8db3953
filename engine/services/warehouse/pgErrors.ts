import { PulseError } from '../../errors';
import { isNetworkError } from '../../util/netErrors';
import { maskUrlPassword } from '../../util/redact';

/** A PostgreSQL server address as it may be shown: no user, no password. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `postgres://${u.hostname}:${u.port || '5432'}${u.pathname || '/postgres'}`;
  } catch {
    return 'postgres://(unparseable URL)';
  }
}

/** admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections, and class 08: connection exceptions. */
const SERVER_GONE = new Set(['57P01', '57P02', '57P03', '53300']);

/** True when the connection (not the statement) failed: the client must be discarded, and a retry may work. */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (isNetworkError(err) || SERVER_GONE.has(code) || code.startsWith('08')) return true;
  const message = typeof e?.message === 'string' ? e.message : '';
  return /Connection terminated|connection error and is not queryable|not queryable|Client was closed/i.test(message);
}

/**
 * The error a caller sees for a PostgreSQL failure: PostgreSQL's own message (after `doing: ` when
 * given), never the password. A lost connection is retriable and names the server.
 */
export function toWarehouseError(err: unknown, url: string, doing = ''): PulseError {
  if (err instanceof PulseError) return err;
  const raw = err instanceof Error ? err.message || String((err as { code?: string }).code ?? err) : String(err);
  const message = maskUrlPassword(raw, url);
  if (isConnectionError(err)) {
    return new PulseError(
      'warehouse_failed',
      `${doing ? `${doing}: ` : ''}cannot reach the PostgreSQL warehouse at ${describeUrl(url)} (${message}); retry once the server is up`,
      { retriable: true },
    );
  }
  return new PulseError('warehouse_failed', doing ? `${doing}: ${message}` : message, { cause: err });
}
