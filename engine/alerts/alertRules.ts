import { randomUUID } from 'node:crypto';
import type { AlertKind, AlertRule, FreshnessLayer, ServiceKind } from '../contract';
import { PulseError } from '../errors';
import { isReason } from '../quality/validationRules';

export const ALERT_KINDS: readonly AlertKind[] = ['lag', 'quarantine_rate', 'etl_failed', 'freshness', 'service_down'];
const LAYERS: readonly FreshnessLayer[] = ['bronze', 'silver', 'warehouse'];
const SERVICES: readonly ServiceKind[] = ['broker', 'lake', 'warehouse', 'metrics'];
const ID = /^[a-z0-9][a-z0-9-]{0,39}$/;

/** The rules a new data dir starts with; the user edits, disables or deletes them. */
export const DEFAULT_RULES: readonly AlertRule[] = [
  { id: 'stream-lag', kind: 'lag', name: 'Stream lag', enabled: true, threshold: 100_000, forSeconds: 60 },
  {
    id: 'quarantine-rate',
    kind: 'quarantine_rate',
    name: 'Quarantine rate',
    enabled: true,
    threshold: 0.05,
    windowMinutes: 5,
    reason: null,
    minRecords: 100,
  },
  { id: 'etl-failed', kind: 'etl_failed', name: 'ETL run failed', enabled: true },
  {
    id: 'silver-freshness',
    kind: 'freshness',
    name: 'Silver freshness',
    enabled: false,
    layer: 'silver',
    maxAgeMinutes: 30,
  },
  { id: 'service-down', kind: 'service_down', name: 'Service down', enabled: true, service: null, forSeconds: 30 },
];

/** The fields each kind has beyond id, kind, name and enabled. */
const FIELDS: Record<AlertKind, readonly string[]> = {
  lag: ['threshold', 'forSeconds'],
  quarantine_rate: ['threshold', 'windowMinutes', 'reason', 'minRecords'],
  etl_failed: [],
  freshness: ['layer', 'maxAgeMinutes'],
  service_down: ['service', 'forSeconds'],
};

const invalid = (field: string, message: string) => new PulseError('config_invalid', message, { field });

function whole(v: unknown, field: string, min: number, max: number, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw invalid(
      field,
      `${what} must be a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}, got ${JSON.stringify(v)}`,
    );
  return v;
}

function oneOf<T extends string>(v: unknown, field: string, allowed: readonly T[], what: string): T {
  if (typeof v !== 'string' || !allowed.includes(v as T))
    throw invalid(field, `${what} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  return v as T;
}

/**
 * A rule from outside (the page, the CLI), checked field by field: each wrong value is refused with
 * its field named and what it may be; a field the kind does not have is refused too.
 */
export function checkRule(input: Record<string, unknown>): AlertRule {
  if (typeof input !== 'object' || input === null) throw invalid('rule', 'a rule is an object');
  const kind = oneOf(input.kind, 'kind', ALERT_KINDS, 'kind');
  for (const key of Object.keys(input))
    if (!['id', 'kind', 'name', 'enabled', ...FIELDS[kind]].includes(key))
      throw invalid(key, `a rule of kind ${kind} has no field "${key}"`);
  const id = input.id === undefined ? `rule-${randomUUID().slice(0, 8)}` : input.id;
  if (typeof id !== 'string' || !ID.test(id))
    throw invalid('id', `id must be 1 to 40 lower-case letters, digits or dashes, got ${JSON.stringify(id)}`);
  const name = input.name === undefined ? DEFAULT_RULES.find((r) => r.kind === kind)!.name : input.name;
  if (typeof name !== 'string' || name.trim() === '' || name.length > 80)
    throw invalid('name', 'name must be 1 to 80 characters');
  if (input.enabled !== undefined && typeof input.enabled !== 'boolean')
    throw invalid('enabled', 'enabled must be true or false');
  const base = { id, name: name.trim(), enabled: input.enabled ?? true };
  const r = input;
  switch (kind) {
    case 'lag':
      return {
        ...base,
        kind,
        threshold: whole(r.threshold, 'threshold', 1, 1e12, 'the lag threshold (records)'),
        forSeconds: whole(r.forSeconds ?? 0, 'forSeconds', 0, 86_400, 'forSeconds'),
      };
    case 'quarantine_rate': {
      const t = r.threshold;
      if (typeof t !== 'number' || !Number.isFinite(t) || t <= 0 || t > 1)
        throw invalid(
          'threshold',
          `the quarantine threshold is a share above 0 and at most 1 (0.05 is 5%), got ${typeof t === 'number' ? `${+(t * 100).toFixed(4)}%` : JSON.stringify(t)}`,
        );
      const reason = r.reason ?? null;
      if (reason !== null && (typeof reason !== 'string' || !isReason(reason)))
        throw invalid(
          'reason',
          `reason must be a reason code (see Data quality) or null for any, got ${JSON.stringify(reason)}`,
        );
      return {
        ...base,
        kind,
        threshold: t,
        windowMinutes: whole(r.windowMinutes, 'windowMinutes', 1, 1440, 'windowMinutes'),
        reason,
        minRecords: whole(r.minRecords ?? 1, 'minRecords', 1, 1e9, 'minRecords'),
      };
    }
    case 'etl_failed':
      return { ...base, kind };
    case 'freshness':
      return {
        ...base,
        kind,
        layer: oneOf(r.layer, 'layer', LAYERS, 'layer'),
        maxAgeMinutes: whole(r.maxAgeMinutes, 'maxAgeMinutes', 1, 10_080, 'maxAgeMinutes'),
      };
    case 'service_down': {
      const service = r.service ?? null;
      return {
        ...base,
        kind,
        service: service === null ? null : oneOf(service, 'service', SERVICES, 'service'),
        forSeconds: whole(r.forSeconds ?? 0, 'forSeconds', 0, 86_400, 'forSeconds'),
      };
    }
  }
}

/** A rule as the page describes it: "above 5% over 5 min (total_mismatch)". */
export function describeRule(r: AlertRule): string {
  switch (r.kind) {
    case 'lag':
      return `stream lag above ${r.threshold.toLocaleString('en-US')} records${r.forSeconds ? ` for ${r.forSeconds} s` : ''}`;
    case 'quarantine_rate':
      return `${r.reason ?? 'quarantine'} above ${+(r.threshold * 100).toFixed(4)}% over ${r.windowMinutes} min (from ${r.minRecords.toLocaleString('en-US')} records)`;
    case 'etl_failed':
      return 'an ETL run fails';
    case 'freshness':
      return `newest ${r.layer} data older than ${r.maxAgeMinutes} min`;
    case 'service_down':
      return `${r.service ?? 'any service'} not answering${r.forSeconds ? ` for ${r.forSeconds} s` : ''}`;
  }
}
