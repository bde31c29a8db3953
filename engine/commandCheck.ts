import type { CommandName, EventName } from './contract';
import { PulseError } from './errors';

/*
 * The contract's names at run time, and the shape check every call from outside the process
 * passes before it reaches the Host (Electron IPC and the web socket alike). The Host still checks
 * values (rates, SQL, settings); this refuses what is not even the right shape.
 */

type Field = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'numberOrNull' | 'stringOrNull';
type Spec = Record<string, Field | `${Field}?`>;
/**
 * Allowed fields of each command's request, `?` marking optional ones; unknown fields are refused.
 * Exactly the contract's commands: the type refuses a table that forgets one (a new command in
 * engine/contract.ts does not compile until its request is described here) or names one the
 * contract does not have.
 */
const REQUESTS: Record<CommandName, Spec> = {
  'stage.start': { stage: 'string', settings: 'object?' },
  'stage.stop': { stage: 'string' },
  'stage.list': {},
  'producer.configure': { rate: 'number?', faults: 'object?' },
  'etl.run': {},
  'etl.history': { limit: 'number?' },
  'metrics.snapshot': { minutes: 'number?' },
  'warehouse.query': {
    sql: 'string',
    params: 'array?',
    queryId: 'string?',
    limit: 'number?',
    offset: 'number?',
    history: 'boolean?',
  },
  'pipeline.summary': {},
  'stream.offsets': {},
  'lake.list': { prefix: 'string' },
  'lake.preview': { key: 'string', limit: 'number?' },
  'lake.quarantine': { limit: 'number?' },
  'lake.query': { sql: 'string', limit: 'number?' },
  'warehouse.presets': {},
  'warehouse.cancel': { queryId: 'string' },
  'etl.schedule': { everyMinutes: 'numberOrNull?', cron: 'stringOrNull?', timeZone: 'string?' },
  'settings.get': {},
  'settings.set': { values: 'object' },
  'infra.status': {},
  'infra.up': { service: 'string?' },
  'infra.down': { volumes: 'boolean?' },
  'infra.start': { service: 'string?' },
  'infra.stop': { service: 'string?' },
  'infra.restart': { service: 'string?' },
  'infra.logs': { service: 'string', tail: 'number?', since: 'number?', follow: 'boolean?' },
  'infra.useDocker': { services: 'array?' },
  'infra.useEmbedded': { services: 'array?' },
  'producer.settings': {},
  'services.status': { recheck: 'boolean?' },
  'settings.test': { service: 'string', values: 'object?' },
  'lake.counts': {},
  'catalog.get': {},
  'catalog.preview': { files: 'array' },
  'catalog.apply': { files: 'array' },
  'quarantine.list': { reason: 'string?', from: 'string?', to: 'string?', state: 'string?', limit: 'number?' },
  'quarantine.replay': { reason: 'string?', from: 'string?', to: 'string?', state: 'string?' },
  'import.begin': { name: 'string', bytes: 'number', format: 'string?' },
  'import.chunk': { importId: 'string', text: 'string', bytes: 'number' },
  'import.end': { importId: 'string' },
  'import.cancel': { importId: 'string' },
  'warehouse.schema': {},
  'sqlLab.history': { limit: 'number?' },
  'sqlLab.forget': { id: 'string?' },
  'sqlLab.saved': {},
  'sqlLab.save': { name: 'string', sql: 'string' },
  'sqlLab.delete': { id: 'string' },
  'dashboard.pins': {},
  'dashboard.pin': { title: 'string', sql: 'string', chart: 'object', money: 'array?', refreshSeconds: 'number' },
  'dashboard.update': { id: 'string', title: 'string?', refreshSeconds: 'number?' },
  'dashboard.unpin': { id: 'string' },
  'quality.rules': {},
  'quality.stats': { from: 'number?', to: 'number?', bucketMinutes: 'number?' },
  'quarantine.record': { partition: 'number', offset: 'number' },
  'etl.runs': { limit: 'number?' },
  'etl.runLog': { runId: 'string' },
  'etl.rerun': { runId: 'string' },
  'alerts.list': { limit: 'number?' },
  'alerts.acknowledge': { id: 'string?' },
  'alerts.rules': {},
  'alerts.saveRule': { rule: 'object' },
  'alerts.deleteRule': { id: 'string' },
  'alerts.check': {},
  'compaction.run': { dryRun: 'boolean?', targetMb: 'number?' },
  'compaction.status': {},
  'compaction.schedule': { everyMinutes: 'numberOrNull?' },
  'reconcile.report': {},
  'lineage.minute': { storeId: 'number', minute: 'number', limit: 'number?' },
  'metrics.range': { minutes: 'number', stores: 'array?' },
  'topics.read': {
    partition: 'number?',
    offset: 'number?',
    time: 'number?',
    cursor: 'array?',
    direction: 'string?',
    limit: 'number?',
  },
  'topics.search': { transactionId: 'string' },
  'topics.tail': { follow: 'boolean?', partition: 'number?' },
  'topics.produce': { key: 'string?', value: 'string' },
  'topics.lag': { group: 'string?' },
};

export const COMMAND_NAMES = Object.keys(REQUESTS) as CommandName[];
/** Every contract event, and only those (the same typing as REQUESTS): what IPC and web mode forward. */
const EVENTS: Record<EventName, true> = {
  'stage.status': true,
  'etl.progress': true,
  'metrics.tick': true,
  'host.error': true,
  'stream.offsets': true,
  'infra.progress': true,
  'infra.log': true,
  'infra.stats': true,
  'producer.settings': true,
  'services.status': true,
  'catalog.changed': true,
  'import.progress': true,
  'sqlLab.changed': true,
  'etl.run': true,
  'alerts.fired': true,
  'alerts.changed': true,
  'topics.tail': true,
  'topics.lag': true,
  'compaction.progress': true,
};
export const EVENT_NAMES = Object.keys(EVENTS) as EventName[];

const STAGES: Record<string, readonly string[]> = {
  'stage.start': ['producer', 'stream'],
  'stage.stop': ['producer', 'stream'],
};
const SERVICES: readonly string[] = ['broker', 'lake', 'warehouse', 'metrics'];

function fits(v: unknown, t: Field): boolean {
  switch (t) {
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'array':
      return Array.isArray(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'numberOrNull':
      return v === null || (typeof v === 'number' && Number.isFinite(v));
    case 'stringOrNull':
      return v === null || typeof v === 'string';
    default:
      return typeof v === t;
  }
}

function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.hasOwn(REQUESTS, name);
}

/** Returns the call typed, or throws PulseError('config_invalid') naming what is wrong. */
export function checkCall(name: unknown, req: unknown): { name: CommandName; req: Record<string, unknown> } {
  if (!isCommandName(name)) throw new PulseError('config_invalid', `unknown command ${JSON.stringify(name)}`);
  const command = name;
  if (!fits(req, 'object')) throw new PulseError('config_invalid', `${command} takes one request object`);
  const r = req as Record<string, unknown>;
  const spec = REQUESTS[command];
  for (const key of Object.keys(r)) {
    if (!Object.hasOwn(spec, key))
      throw new PulseError('config_invalid', `${command}: unknown field "${key}"`, { field: key });
  }
  for (const [key, t] of Object.entries(spec)) {
    const optional = t.endsWith('?');
    const type = t.replace('?', '') as Field;
    if (r[key] === undefined) {
      if (!optional) throw new PulseError('config_invalid', `${command}: field "${key}" is required`, { field: key });
    } else if (!fits(r[key], type)) {
      throw new PulseError(
        'config_invalid',
        `${command}: field "${key}" must be ${type === 'numberOrNull' ? 'a number or null' : type === 'stringOrNull' ? 'a string or null' : `a ${type}`}`,
        { field: key },
      );
    }
  }
  const stages = STAGES[command];
  if (stages && !stages.includes(r.stage as string))
    throw new PulseError('config_invalid', `${command}: stage must be one of ${stages.join(', ')}`, { field: 'stage' });
  if (command === 'settings.test' && !SERVICES.includes(r.service as string))
    throw new PulseError('config_invalid', `${command}: service must be one of ${SERVICES.join(', ')}`, {
      field: 'service',
    });
  if (typeof r.sql === 'string' && r.sql.length > 100_000)
    throw new PulseError('config_invalid', `${command}: sql is longer than 100,000 characters`, { field: 'sql' });
  return { name: command, req: r };
}
