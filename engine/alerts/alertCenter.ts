import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type {
  Alert,
  AlertList,
  AlertRule,
  AlertRuleState,
  AlertRulesView,
  Commands,
  EtlRunView,
  EventName,
  Events,
  FreshnessLayer,
  ServiceHealth,
  StageStatus,
} from '../contract';
import { PulseError } from '../errors';
import { LabFile } from '../sqlLab/labFile';
import type { WindowCounts } from '../quality/qualityScanner';
import { ALERT_KINDS, checkRule, DEFAULT_RULES } from './alertRules';
import { condition, type AlertInputs } from './conditions';

export type AlertCommand =
  'alerts.list' | 'alerts.acknowledge' | 'alerts.rules' | 'alerts.saveRule' | 'alerts.deleteRule' | 'alerts.check';

export interface AlertDeps {
  dataDir: string;
  on: <K extends EventName>(name: K, listener: (payload: Events[K]) => void) => () => void;
  emit: <K extends 'alerts.fired' | 'alerts.changed'>(name: K, payload: Events[K]) => void;
  window: (minutes: number) => Promise<WindowCounts>;
  newest: (layer: FreshnessLayer) => Promise<number | null>;
  /** The newest finished ETL run at start (later ones come as etl.run events). */
  lastEtl: () => Promise<EtlRunView | null>;
  services: () => ServiceHealth[];
  /** Probes the services again, reporting only what changed (no "checking" flicker). */
  probe: () => Promise<void>;
  now?: () => number;
  /** How often the rules are evaluated (ms); 0: only on events and alerts.check. */
  everyMs?: number;
}

/** Alerts kept (newest); older resolved ones go. */
const KEEP_ALERTS = 500;
const PROBE_EVERY_MS = 60_000;

export function alertsDir(dataDir: string): string {
  return path.join(dataDir, 'alerts');
}

interface Tracked {
  state: AlertRuleState;
  /** Since when the condition has held (for forSeconds). */
  holding: number | null;
}

/**
 * Rules on lag, quarantine rate, ETL failure, data freshness and service health, evaluated every
 * 15 s (lag as the stream reports it, ETL failure as a run ends); a rule whose condition begins to
 * hold fires an alert (alerts.fired: the desktop notification), which is resolved when it stops
 * holding and stays in the list until the user acknowledges it. Rules and alerts live in
 * <data dir>/alerts/ (written atomically), so both survive a restart; an alert open at the last
 * stop stays open, without a second notification.
 */
export class AlertCenter {
  private readonly rules: LabFile<AlertRule>;
  private readonly alerts: LabFile<Alert>;
  private readonly tracked = new Map<string, Tracked>();
  private readonly now: () => number;
  private readonly offs: (() => void)[];
  private readonly timer: NodeJS.Timeout | null;
  /** The first judgement, a second after a watching Host opens. */
  private readonly first: NodeJS.Timeout | null;
  private closed = false;
  private chain: Promise<unknown> = Promise.resolve();
  private lag: number | null = null;
  private lastEtl: EtlRunView | null = null;
  private lastProbe = 0;
  private ready: Promise<void>;

  constructor(private readonly deps: AlertDeps) {
    this.now = deps.now ?? Date.now;
    const dir = alertsDir(deps.dataDir);
    this.rules = new LabFile(
      path.join(dir, 'rules.json'),
      (v) => checkRule(v as Record<string, unknown>),
      'alert rules',
    );
    this.alerts = new LabFile(path.join(dir, 'alerts.json'), checkAlert, 'alerts');
    if (!fs.existsSync(path.join(dir, 'rules.json'))) this.rules.update(() => [...DEFAULT_RULES]);
    this.offs = [
      deps.on('stage.status', (s) => this.streamStatus(s)),
      deps.on('etl.run', (r) => {
        if (r.finishedAt === null && r.status === 'running') return;
        this.lastEtl = r;
        void this.serial(() => this.evaluate((rule) => rule.kind === 'etl_failed'));
      }),
      deps.on('services.status', () => void this.serial(() => this.evaluate((rule) => rule.kind === 'service_down'))),
    ];
    this.ready = deps.lastEtl().then(
      (r) => void (this.lastEtl ??= r),
      () => undefined,
    );
    const every = deps.everyMs ?? 15_000;
    this.timer = every > 0 ? setInterval(() => void this.check().catch(() => undefined), every) : null;
    this.timer?.unref();
    // A watching Host (a UI's) judges every rule once right after it opens, not a whole period later.
    this.first = every > 0 ? setTimeout(() => void this.check().catch(() => undefined), 1_000) : null;
    this.first?.unref();
  }

  handlers(): { [C in AlertCommand]: (req: Commands[C]['req']) => Promise<Commands[C]['res']> } {
    return {
      'alerts.list': async (q) => this.list(q.limit),
      'alerts.acknowledge': (q) => this.serial(() => this.acknowledge(q.id)),
      'alerts.rules': async () => this.rulesView(),
      'alerts.saveRule': (q) => this.serial(() => this.save(q.rule)),
      'alerts.deleteRule': (q) => this.serial(() => this.remove(q.id)),
      'alerts.check': () => this.check(true),
    };
  }

  /** Evaluates every rule now (probing the services when due, or when asked). */
  check(probeNow = false): Promise<AlertRulesView> {
    return this.serial(async () => {
      await this.ready;
      const rules = this.rules.list().items;
      if (rules.some((r) => r.enabled && r.kind === 'service_down')) {
        if (probeNow || this.now() - this.lastProbe >= PROBE_EVERY_MS) {
          this.lastProbe = this.now();
          await this.deps.probe().catch(() => undefined);
        }
      }
      await this.evaluate(() => true);
      return this.rulesView();
    });
  }

  list(limit = 200): AlertList {
    const { items, problem } = this.alerts.list();
    const alerts = [...items].sort((a, b) => b.firedAt - a.firedAt).slice(0, Math.max(1, Math.min(limit, KEEP_ALERTS)));
    return { alerts, unacknowledged: items.filter((a) => a.acknowledgedAt === null).length, problem };
  }

  rulesView(): AlertRulesView {
    const { items, problem } = this.rules.list();
    return { rules: items, states: items.map((r) => this.stateOf(r)), problem };
  }

  /** Stops judging; resolves once a judgement under way has ended (it may be reading the lake's worker). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.first) clearTimeout(this.first);
    this.offs.forEach((off) => off());
    await this.chain;
  }

  private serial<T>(work: () => Promise<T> | T): Promise<T> {
    // After close nothing new starts: a late event must not open the lake's worker again.
    const run = this.closed
      ? Promise.reject(new PulseError('stage_state', 'the alert centre is closed'))
      : this.chain.then(work);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private streamStatus(s: StageStatus): void {
    if (s.stage !== 'stream') return;
    const lag = s.state === 'running' && typeof s.counters.lag === 'number' ? s.counters.lag : null;
    if (lag === this.lag) return;
    this.lag = lag;
    void this.serial(() => this.evaluate((rule) => rule.kind === 'lag'));
  }

  private inputs(): AlertInputs {
    return {
      window: (m) => this.deps.window(m),
      newest: (layer) => this.deps.newest(layer),
      lag: () => this.lag,
      lastEtl: () => this.lastEtl,
      services: () => this.deps.services(),
      now: this.now,
    };
  }

  private async evaluate(which: (r: AlertRule) => boolean): Promise<void> {
    const inputs = this.inputs();
    let changed = false;
    for (const rule of this.rules.list().items.filter(which)) {
      const before = this.tracked.get(rule.id)?.state;
      const now = this.now();
      const t = this.tracked.get(rule.id) ?? { holding: null, state: this.stateOf(rule) };
      let next: Omit<AlertRuleState, 'since'>;
      if (!rule.enabled) {
        next = { ruleId: rule.id, state: 'disabled', value: null, summary: 'disabled', checkedAt: now };
        this.resolve(rule.id, now);
      } else {
        const c = await condition(rule, inputs).catch((err: unknown) => ({
          holds: null,
          value: null,
          summary: `could not be evaluated: ${(err as Error).message}`,
          subject: undefined,
        }));
        let state: AlertRuleState['state'] = c.holds === null ? 'no_data' : c.holds ? 'firing' : 'ok';
        if (c.holds) {
          t.holding ??= now;
          const forSeconds = 'forSeconds' in rule ? rule.forSeconds : 0;
          if (now - t.holding < forSeconds * 1000) state = 'pending';
          else if (this.fire(rule, c.summary, c.value, c.subject ?? null, now)) changed = true;
        } else if (c.holds === false) {
          t.holding = null;
          if (this.resolve(rule.id, now)) changed = true;
        }
        next = { ruleId: rule.id, state, value: c.value, summary: c.summary, checkedAt: now };
      }
      t.state = { ...next, since: before && before.state === next.state ? before.since : now };
      this.tracked.set(rule.id, t);
      if (!before || before.state !== next.state || before.summary !== next.summary) changed = true;
    }
    if (changed) this.deps.emit('alerts.changed', { part: 'rules' });
  }

  /** A new alert unless one is open for this rule and subject; true when one fired. */
  private fire(rule: AlertRule, message: string, value: number | null, subject: string | null, now: number): boolean {
    const open = this.alerts
      .list()
      .items.some((a) => a.ruleId === rule.id && a.resolvedAt === null && a.subject === subject);
    if (open) return false;
    const alert: Alert = {
      id: `alert-${now.toString(36)}-${randomUUID().slice(0, 6)}`,
      ruleId: rule.id,
      kind: rule.kind,
      name: rule.name,
      subject,
      message,
      value,
      firedAt: now,
      resolvedAt: null,
      acknowledgedAt: null,
    };
    this.alerts.update((items) => keepNewest([...items, alert]));
    this.deps.emit('alerts.fired', alert);
    this.deps.emit('alerts.changed', { part: 'alerts' });
    return true;
  }

  private resolve(ruleId: string, now: number): boolean {
    if (!this.alerts.list().items.some((a) => a.ruleId === ruleId && a.resolvedAt === null)) return false;
    this.alerts.update((items) =>
      items.map((a) => (a.ruleId === ruleId && a.resolvedAt === null ? { ...a, resolvedAt: now } : a)),
    );
    this.deps.emit('alerts.changed', { part: 'alerts' });
    return true;
  }

  private acknowledge(id: string | undefined): AlertList {
    const items = this.alerts.list().items;
    if (id !== undefined && !items.some((a) => a.id === id))
      throw new PulseError('not_found', `there is no alert ${id}`, { field: 'id' });
    const now = this.now();
    this.alerts.update((all) =>
      all.map((a) =>
        (id === undefined || a.id === id) && a.acknowledgedAt === null ? { ...a, acknowledgedAt: now } : a,
      ),
    );
    this.deps.emit('alerts.changed', { part: 'alerts' });
    return this.list();
  }

  private async save(input: Commands['alerts.saveRule']['req']['rule']): Promise<AlertRulesView> {
    const rule = checkRule(input);
    const rules = this.rules.list().items;
    if (input.id !== undefined && !rules.some((r) => r.id === input.id))
      throw new PulseError('not_found', `there is no alert rule ${input.id}`, { field: 'id' });
    if (rules.length >= 100 && input.id === undefined)
      throw new PulseError('config_invalid', 'at most 100 alert rules: delete one first', { field: 'rule' });
    this.rules.update((items) =>
      input.id === undefined ? [...items, rule] : items.map((r) => (r.id === rule.id ? rule : r)),
    );
    // A changed rule starts over: its condition is judged again as it now reads.
    this.tracked.delete(rule.id);
    this.resolve(rule.id, this.now());
    await this.evaluate((r) => r.id === rule.id);
    this.deps.emit('alerts.changed', { part: 'rules' });
    return this.rulesView();
  }

  private remove(id: string): AlertRulesView {
    if (!this.rules.list().items.some((r) => r.id === id))
      throw new PulseError('not_found', `there is no alert rule ${id}`, { field: 'id' });
    this.rules.update((items) => items.filter((r) => r.id !== id));
    this.tracked.delete(id);
    this.resolve(id, this.now());
    this.deps.emit('alerts.changed', { part: 'rules' });
    return this.rulesView();
  }

  private stateOf(rule: AlertRule): AlertRuleState {
    return (
      this.tracked.get(rule.id)?.state ?? {
        ruleId: rule.id,
        state: rule.enabled ? 'no_data' : 'disabled',
        value: null,
        summary: rule.enabled ? 'not evaluated yet' : 'disabled',
        since: this.now(),
        checkedAt: 0,
      }
    );
  }
}

/** The newest alerts, open ones first kept. */
function keepNewest(items: Alert[]): Alert[] {
  if (items.length <= KEEP_ALERTS) return items;
  const sorted = [...items].sort(
    (a, b) => Number(a.resolvedAt === null) - Number(b.resolvedAt === null) || a.firedAt - b.firedAt,
  );
  return sorted.slice(sorted.length - KEEP_ALERTS);
}

function checkAlert(v: unknown, i: number): Alert {
  const a = v as Partial<Alert> | null;
  const num = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
  if (
    typeof a !== 'object' ||
    a === null ||
    typeof a.id !== 'string' ||
    typeof a.ruleId !== 'string' ||
    !ALERT_KINDS.includes(a.kind!) ||
    typeof a.name !== 'string' ||
    typeof a.message !== 'string' ||
    !num(a.firedAt) ||
    !(a.resolvedAt === null || num(a.resolvedAt)) ||
    !(a.acknowledgedAt === null || num(a.acknowledgedAt))
  )
    throw new Error(`item ${i} is not an alert`);
  return {
    id: a.id,
    ruleId: a.ruleId,
    kind: a.kind!,
    name: a.name,
    subject: typeof a.subject === 'string' ? a.subject : null,
    message: a.message,
    value: num(a.value) ? a.value! : null,
    firedAt: a.firedAt!,
    resolvedAt: a.resolvedAt ?? null,
    acknowledgedAt: a.acknowledgedAt ?? null,
  };
}
