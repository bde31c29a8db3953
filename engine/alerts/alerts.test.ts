/**
 * Alerts on a Host, as the Alerts page and the notification see them: a quarantine rate above its
 * threshold (any reason, and one reason), a failed ETL run (resolved by the next that succeeds),
 * data that stopped landing, the stream's lag, and a service that stops answering (the real test
 * Redis, stopped and started again); alerts and their acknowledgement kept across a restart,
 * without a second notification for one that is still open.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { paths, resolveConfig, type ConfigInput } from '../config';
import type { Alert, AlertRulesView } from '../contract';
import { Host } from '../host';
import { openLake } from '../services/open';
import { freshExternal } from '../testing/externalServices';
import { produceSales } from '../testing/produceSales';
import { startTestService, stopTestService } from '../testing/realServices';
import { tmpDirs } from '../testing/tmpDirs';

const tmp = tmpDirs('rp-alerts-');

/** Alerts the Host fires from now on (what a desktop notification would show). */
function fired(host: Host) {
  const seen: Alert[] = [];
  const waiters: { pred: (a: Alert) => boolean; resolve: (a: Alert) => void }[] = [];
  host.on('alerts.fired', (a) => {
    seen.push(a);
    for (const w of waiters.filter((x) => x.pred(a))) w.resolve(a);
  });
  return {
    seen,
    next: (pred: (a: Alert) => boolean) =>
      new Promise<Alert>((resolve) => {
        const had = seen.find(pred);
        if (had) resolve(had);
        else waiters.push({ pred, resolve });
      }),
  };
}

const stateOf = (v: AlertRulesView, id: string) => v.states.find((s) => s.ruleId === id)!;

test(
  'alerts (embedded): quarantine rate, ETL failure, freshness; acknowledged and kept across a restart',
  { timeout: 180_000 },
  async (t) => {
    const config = resolveConfig({ dataDir: tmp() });
    let host = await Host.open(config);
    t.after(() => host.close());
    let alerts = fired(host);

    const rules = await host.call('alerts.rules', {});
    assert.deepEqual(
      rules.rules.map((r) => [r.id, r.kind, r.enabled]),
      [
        ['stream-lag', 'lag', true],
        ['quarantine-rate', 'quarantine_rate', true],
        ['etl-failed', 'etl_failed', true],
        ['silver-freshness', 'freshness', false],
        ['service-down', 'service_down', true],
      ],
    );
    const mine = await host.call('alerts.saveRule', {
      rule: {
        kind: 'quarantine_rate',
        name: 'Totals that do not add up',
        threshold: 0.001,
        windowMinutes: 10,
        reason: 'total_mismatch',
        minRecords: 50,
      },
    });
    const mineId = mine.rules.at(-1)!.id;
    assert.equal(stateOf(mine, mineId).state, 'no_data');
    assert.match(stateOf(mine, mineId).summary, /^0 records arrived in the last 10 min \(the rule needs 50\)$/);
    await assert.rejects(host.call('alerts.saveRule', { rule: { kind: 'lag', threshold: -5 } }), {
      field: 'threshold',
    });
    await assert.rejects(host.call('alerts.saveRule', { rule: { id: 'no-such-rule', kind: 'etl_failed' } }), {
      code: 'not_found',
    });

    await produceSales(host, 2000, { invalid: 0.2 });
    const checked = await host.call('alerts.check', {});
    const rate = stateOf(checked, 'quarantine-rate');
    assert.equal(rate.state, 'firing');
    assert.match(rate.summary, /^quarantined \d+(\.\d+)?% of 2,000 records in the last 5 min \(threshold 5%\)$/);
    assert.ok(rate.value! > 0.05);
    const byReason = await alerts.next((a) => a.ruleId === mineId);
    assert.match(byReason.message, /^total_mismatch [\d.]+% of 2,000 records in the last 10 min/);
    assert.equal(byReason.name, 'Totals that do not add up');
    assert.equal(stateOf(checked, 'stream-lag').state, 'no_data');
    assert.equal(stateOf(checked, 'silver-freshness').state, 'disabled');

    // An ETL run that fails fires, named by its run; the next that succeeds resolves it.
    const broken = 'silver/sales_lines/date=2026-01-01/hour=00/9-0-0.parquet';
    const junk = path.join(config.dataDir, 'junk.parquet');
    fs.writeFileSync(junk, 'PAR1 but not really');
    const lake = await openLake(config);
    await lake.put(broken, junk);
    const failedRun = await host.call('etl.run', {});
    assert.equal(failedRun.status, 'failed');
    const etlAlert = await alerts.next((a) => a.kind === 'etl_failed');
    assert.equal(etlAlert.subject, failedRun.runId);
    assert.match(etlAlert.message, new RegExp(`^ETL run ${failedRun.runId} failed: .*9-0-0\\.parquet`));

    let list = await host.call('alerts.list', {});
    assert.equal(list.unacknowledged, 3);
    list = await host.call('alerts.acknowledge', { id: byReason.id });
    assert.equal(list.unacknowledged, 2);
    assert.ok(list.alerts.find((a) => a.id === byReason.id)!.acknowledgedAt! >= byReason.firedAt);
    await assert.rejects(host.call('alerts.acknowledge', { id: 'alert-nope' }), { code: 'not_found', field: 'id' });

    // Restart: the alerts, open or not, and who was acknowledged, are all there; still-open ones do not fire again.
    await host.close();
    host = await Host.open(config);
    alerts = fired(host);
    assert.deepEqual(
      (await host.call('alerts.list', {})).alerts.map((a) => [a.id, a.acknowledgedAt !== null, a.resolvedAt !== null]),
      list.alerts.map((a) => [a.id, a.acknowledgedAt !== null, a.resolvedAt !== null]),
    );
    assert.equal(stateOf(await host.call('alerts.check', {}), 'quarantine-rate').state, 'firing');
    assert.equal(stateOf(await host.call('alerts.check', {}), 'etl-failed').state, 'firing');
    assert.deepEqual(alerts.seen, []);

    await (await openLake(config)).delete([broken]);
    assert.equal((await host.call('etl.run', {})).status, 'succeeded');
    const after = await host.call('alerts.check', {});
    assert.equal(stateOf(after, 'etl-failed').state, 'ok');
    const resolved = (await host.call('alerts.list', {})).alerts.find((a) => a.id === etlAlert.id)!;
    assert.ok(resolved.resolvedAt !== null && resolved.resolvedAt >= resolved.firedAt);

    // Freshness: silver's newest file written two hours ago is older than 30 minutes.
    const silver = path.join(paths.lake(config), 'silver');
    const old = new Date(Date.now() - 2 * 3_600_000);
    for (const f of fs.readdirSync(silver, { recursive: true, withFileTypes: true }))
      if (f.isFile()) fs.utimesSync(path.join(f.parentPath, f.name), old, old);
    const fresh = await host.call('alerts.saveRule', {
      rule: {
        id: 'silver-freshness',
        kind: 'freshness',
        name: 'Silver freshness',
        layer: 'silver',
        maxAgeMinutes: 30,
        enabled: true,
      },
    });
    assert.equal(stateOf(fresh, 'silver-freshness').state, 'firing');
    assert.match(
      (await alerts.next((a) => a.kind === 'freshness')).message,
      /^the newest silver data landed 2\.0 h ago \(threshold 30 min\)$/,
    );

    // Deleting a rule resolves what it had open; acknowledging without an id takes every alert.
    await host.call('alerts.deleteRule', { id: mineId });
    const all = await host.call('alerts.acknowledge', {});
    assert.equal(all.unacknowledged, 0);
    assert.ok(all.alerts.find((a) => a.ruleId === mineId)!.resolvedAt !== null);
  },
);

test(
  'alerts (Kafka, S3, PostgreSQL, Redis): the stream lag, and Redis down then back',
  { timeout: 240_000 },
  async (t) => {
    const ext = await freshExternal();
    t.after(ext.cleanup);
    const input: ConfigInput = ext.input;
    const host = await Host.open(resolveConfig({ ...input, dataDir: tmp() }));
    t.after(() => host.close());
    const alerts = fired(host);
    await host.call('alerts.saveRule', {
      rule: { id: 'stream-lag', kind: 'lag', name: 'Stream lag', threshold: 1_000, forSeconds: 0 },
    });
    await host.call('alerts.saveRule', {
      rule: { id: 'service-down', kind: 'service_down', name: 'Service down', service: null, forSeconds: 0 },
    });

    // 100,000 sales wait in the topic before the stream starts: its first report says how far behind it is.
    await host.startProducer({ rate: 50_000, limit: 100_000 });
    await host.producerDone();
    await host.startStream();
    const lag = await alerts.next((a) => a.kind === 'lag');
    assert.match(lag.message, /^stream lag [\d,]+ records \(threshold 1,000\)$/);
    assert.ok(lag.value! > 1_000);
    await host.drainStream();
    await host.stopStream();

    t.after(() => startTestService('redis'));
    await stopTestService('redis');
    const down = await host.call('alerts.check', {});
    assert.equal(stateOf(down, 'service-down').state, 'firing');
    const alert = await alerts.next((a) => a.kind === 'service_down');
    assert.match(alert.message, /^the metrics store \(redis .*\) does not answer: /);
    assert.equal((await host.call('services.status', {})).find((s) => s.service === 'metrics')!.state, 'failed');

    await startTestService('redis');
    const back = await host.call('alerts.check', {});
    assert.equal(stateOf(back, 'service-down').state, 'ok');
    assert.ok((await host.call('alerts.list', {})).alerts.find((a) => a.id === alert.id)!.resolvedAt !== null);
  },
);
