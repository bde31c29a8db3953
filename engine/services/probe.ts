import fs from 'node:fs';
import type { EngineConfig } from '../config';
import { paths } from '../config';
import type { ServiceKind } from '../contract';
import { PulseError } from '../errors';
import { openBroker, openExternalMetrics, openLake } from './open';

/*
 * "Does this service answer?" for the Settings page's Test connection and the Host's health board:
 * each probe opens the service the way the engine does, makes one cheap call, and closes it again.
 * Nothing is written except what opening already does (the embedded folders, an S3 bucket that is
 * missing). The real-service clients load on demand, as in open.ts.
 */

export const PROBE_TIMEOUT_MS = 15_000;

const CODES: Record<ServiceKind, 'broker_io' | 'lake_io' | 'warehouse_failed' | 'metrics_failed'> = {
  broker: 'broker_io',
  lake: 'lake_io',
  warehouse: 'warehouse_failed',
  metrics: 'metrics_failed',
};

/** Resolves when the service answers; rejects with a PulseError saying what went wrong. */
export async function probeService(service: ServiceKind, config: EngineConfig): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new PulseError(CODES[service], `no answer from the ${service} within ${PROBE_TIMEOUT_MS / 1000} s`, {
            retriable: true,
          }),
        ),
      PROBE_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([probe(service, config), timeout]);
  } catch (err) {
    if (err instanceof PulseError) throw err;
    throw new PulseError(CODES[service], err instanceof Error ? err.message : String(err), { retriable: true });
  } finally {
    clearTimeout(timer);
  }
}

async function probe(service: ServiceKind, config: EngineConfig): Promise<void> {
  switch (service) {
    case 'broker': {
      if (config.services.broker.mode === 'embedded') return writableDir(paths.broker(config), service);
      const broker = await openBroker(config);
      try {
        await broker.endOffsets(config.topic).catch(() => undefined);
      } finally {
        await broker.close();
      }
      return;
    }
    case 'lake': {
      if (config.services.lake.mode === 'embedded') return writableDir(paths.lake(config), service);
      // S3Lake.open checks the bucket (and creates it when missing, as the stream would).
      const lake = await openLake(config);
      await lake.listPrefixes('');
      (lake as { close?: () => void }).close?.();
      return;
    }
    case 'warehouse': {
      const s = config.services.warehouse;
      if (s.mode === 'embedded') return writableDir(paths.warehouse(config), service);
      return probePostgres(s.url);
    }
    case 'metrics': {
      const metrics = await openExternalMetrics(config);
      await metrics?.close();
      return;
    }
  }
}

function writableDir(dir: string, service: ServiceKind): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (err) {
    throw new PulseError(CODES[service], `cannot write ${dir}: ${(err as Error).message}`);
  }
}

/** One connection and SELECT 1: no schema is created, unlike opening the warehouse. */
async function probePostgres(url: string): Promise<void> {
  const { default: pg } = await import('pg');
  const { toWarehouseError } = await import('./warehouse/pgErrors');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    throw toWarehouseError(err, url, 'cannot connect');
  } finally {
    await client.end().catch(() => undefined);
  }
}
