import type { AlertRule, EtlRunView, FreshnessLayer, ServiceHealth } from '../contract';
import type { WindowCounts } from '../quality/qualityScanner';

/** What the rules look at, each read where it lives. */
export interface AlertInputs {
  /** Arrivals and refusals over the last N minutes (the lake). */
  window(minutes: number): Promise<WindowCounts>;
  /** When the newest data of a layer landed (epoch ms), null when it holds none. */
  newest(layer: FreshnessLayer): Promise<number | null>;
  /** The stream's lag now, null while it is not running. */
  lag(): number | null;
  /** The newest finished ETL run, null when none finished. */
  lastEtl(): EtlRunView | null;
  services(): ServiceHealth[];
  now(): number;
}

/** A rule's condition now: holds (true/false) or no data (null), the figure, and in words; `subject` tells apart what it is about. */
export interface Condition {
  holds: boolean | null;
  value: number | null;
  summary: string;
  subject?: string;
}

const n = (x: number): string => x.toLocaleString('en-US');
const pct = (x: number): string => `${+(x * 100).toFixed(2)}%`;
const SERVICE_NAMES: Record<string, string> = {
  broker: 'the broker',
  lake: 'the lake',
  warehouse: 'the warehouse',
  metrics: 'the metrics store',
};

function ago(ms: number): string {
  const min = Math.floor(ms / 60_000);
  if (min < 1) return `${Math.max(0, Math.round(ms / 1000))} s ago`;
  if (min < 120) return `${min} min ago`;
  return `${(min / 60).toFixed(1)} h ago`;
}

export async function condition(rule: AlertRule, i: AlertInputs): Promise<Condition> {
  switch (rule.kind) {
    case 'lag': {
      const lag = i.lag();
      if (lag === null) return { holds: null, value: null, summary: 'the stream is not running' };
      return {
        holds: lag > rule.threshold,
        value: lag,
        summary: `stream lag ${n(lag)} records (threshold ${n(rule.threshold)})`,
      };
    }
    case 'quarantine_rate': {
      const w = await i.window(rule.windowMinutes);
      const bad = rule.reason ? (w.byReason[rule.reason] ?? 0) : w.quarantined;
      const what = rule.reason ?? 'quarantined';
      if (w.records < rule.minRecords)
        return {
          holds: null,
          value: w.records ? bad / w.records : null,
          summary: `${n(w.records)} records arrived in the last ${rule.windowMinutes} min (the rule needs ${n(rule.minRecords)})`,
        };
      const rate = bad / w.records;
      return {
        holds: rate > rule.threshold,
        value: rate,
        summary: `${what} ${pct(rate)} of ${n(w.records)} records in the last ${rule.windowMinutes} min (threshold ${pct(rule.threshold)})`,
      };
    }
    case 'etl_failed': {
      const run = i.lastEtl();
      if (!run) return { holds: null, value: null, summary: 'no ETL run has finished yet' };
      const failed = run.status === 'failed' || run.status === 'interrupted';
      return {
        holds: failed,
        value: failed ? 1 : 0,
        subject: run.runId,
        summary: failed
          ? `ETL run ${run.runId} ${run.status === 'interrupted' ? 'was interrupted' : 'failed'}${run.error ? `: ${run.error}` : ''}`
          : `the last ETL run (${run.runId}) succeeded`,
      };
    }
    case 'freshness': {
      const at = await i.newest(rule.layer);
      if (at === null) return { holds: null, value: null, summary: `nothing has landed in ${rule.layer} yet` };
      const age = i.now() - at;
      return {
        holds: age > rule.maxAgeMinutes * 60_000,
        value: age / 60_000,
        summary: `the newest ${rule.layer} data landed ${ago(age)} (threshold ${rule.maxAgeMinutes} min)`,
      };
    }
    case 'service_down': {
      const watched = i.services().filter((s) => rule.service === null || s.service === rule.service);
      const down = watched.filter((s) => s.state === 'failed');
      if (!watched.length || watched.every((s) => s.state === 'checking'))
        return { holds: null, value: null, summary: 'not checked yet' };
      return {
        holds: down.length > 0,
        value: down.length,
        summary: down.length
          ? down
              .map(
                (s) =>
                  `${SERVICE_NAMES[s.service]} (${s.target}) does not answer: ${s.error?.message ?? 'no reason given'}`,
              )
              .join('; ')
          : `${rule.service ? SERVICE_NAMES[rule.service] : 'every service'} answers`,
      };
    }
  }
}
