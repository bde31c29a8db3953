import { PulseError } from '../../errors';
import type { QueryResult, Warehouse } from './port';

/**
 * The warehouse editor's queries, which the UI can cancel by id. `cancel` answers true only when
 * the query really was stopped (or never started); a query that had already finished keeps its
 * result and `cancel` answers false.
 */
export interface EditorQueries {
  queryWithId(id: string, sql: string, params?: unknown[]): Promise<QueryResult>;
  cancel(id: string): Promise<boolean>;
  close(): Promise<void>;
}

export function isCancelled(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'cancelled';
}

export function cancelledError(detail = ''): PulseError {
  return new PulseError('cancelled', `the query was cancelled${detail ? ` ${detail}` : ''}`);
}

/** PostgreSQL: the adapter cancels a running statement on the server (pg_cancel_backend). */
export class ServerQueries implements EditorQueries {
  private readonly running = new Map<string, { abort: AbortController; outcome: Promise<boolean> }>();

  constructor(private readonly warehouse: Warehouse) {}

  async queryWithId(id: string, sql: string, params?: unknown[]): Promise<QueryResult> {
    const abort = new AbortController();
    const query = this.warehouse.query(sql, params, { signal: abort.signal });
    this.running.set(id, { abort, outcome: query.then(() => false, isCancelled) });
    try {
      return await query;
    } finally {
      this.running.delete(id);
    }
  }

  async cancel(id: string): Promise<boolean> {
    const q = this.running.get(id);
    if (!q) return false;
    q.abort.abort();
    return q.outcome;
  }

  async close(): Promise<void> {
    for (const q of this.running.values()) q.abort.abort();
  }
}
