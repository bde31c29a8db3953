import { useShallow } from 'zustand/react/shallow';
import type { FaultRates } from '../../../engine/contract';
import { ErrorNote } from '../components/ErrorNote';
import { LakeOffsets } from '../components/LakeOffsets';
import { useAct, useApp, useCtx, usePlace, useUi } from '../context';
import { formatNumber } from '../format';
import type { StageView } from '../store/appStore';
import type { PlaceError } from '../store/uiStore';
import { useLakeCounts, useRateControl } from './pipelineControls';

const fmt = (n: number | undefined) => (n === undefined ? '–' : formatNumber(Math.round(n)));
/** A stopped stage has no rate. */
const rate = (stage: StageView, value: number | undefined, unit: string) =>
  stage.state === 'running' && value !== undefined ? `${fmt(value)} ${unit}` : '–';

function Node({
  title,
  stage,
  lines,
  error,
}: {
  title: string;
  stage?: StageView;
  lines: [string, string][];
  error?: PlaceError | null;
}) {
  const shown = stage?.error ?? error ?? null;
  return (
    <section className={`node state-${stage?.state ?? 'idle'}`} aria-label={title}>
      <h3>{title}</h3>
      {stage && <p className="state">{stage.state}</p>}
      <dl>
        {lines.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      {shown && (
        <p className="node-error" role="alert">
          {stage?.error ? '' : 'last error: '}
          {shown.message}
        </p>
      )}
    </section>
  );
}

const FAULTS: [keyof FaultRates, string][] = [
  ['malformed', 'Malformed JSON'],
  ['invalid', 'Invalid records'],
  ['late', 'Late events'],
  ['duplicate', 'Duplicates'],
];
const FAULT_RATE = 0.02;
const MIN_RATE = 10;
const MAX_SLIDER = 20_000;

/** The flow, each stage's state, rate, counts, lag and last error; the controls that drive it. */
export function Pipeline() {
  const { api } = useCtx();
  const act = useAct();
  const { producer, stream, etl } = useApp(useShallow((s) => s.stages));
  const settings = useUi((s) => s.producer);
  const stageErrors = useUi((s) => s.stageErrors);
  const lake = useLakeCounts(stream);
  const rateControl = useRateControl();
  const faults = usePlace('pipeline.faults');
  const p = producer.counters;
  const s = stream.counters;
  const sliderValue = Math.min(MAX_SLIDER, Math.max(MIN_RATE, Number(rateControl.value) || MIN_RATE));

  const toggleFault = (k: keyof FaultRates) => {
    const on = (settings?.faults[k] ?? 0) > 0;
    void faults.run(api.call('producer.configure', { faults: { [k]: on ? 0 : FAULT_RATE } }));
  };

  return (
    <div className="page">
      <h2>Pipeline</h2>
      <div className="toolbar" role="toolbar" aria-label="Stage controls">
        <button
          onClick={() =>
            void rateControl.flush().then(() => act(api.call('stage.start', { stage: 'producer' }), 'producer'))
          }
          disabled={producer.state !== 'stopped' && producer.state !== 'failed'}
        >
          Start producer
        </button>
        <button
          onClick={() => void act(api.call('stage.stop', { stage: 'producer' }), 'producer')}
          disabled={producer.state !== 'running'}
        >
          Stop producer
        </button>
        <button
          onClick={() => void act(api.call('stage.start', { stage: 'stream' }), 'stream')}
          disabled={stream.state !== 'stopped' && stream.state !== 'failed'}
        >
          Start stream
        </button>
        <button
          onClick={() => void act(api.call('stage.stop', { stage: 'stream' }), 'stream')}
          disabled={stream.state !== 'running'}
        >
          Stop stream
        </button>
        <label className="slider">
          Producer rate
          <input
            type="range"
            min={MIN_RATE}
            max={MAX_SLIDER}
            step={10}
            value={sliderValue}
            disabled={settings === null}
            aria-label="Producer rate"
            aria-valuetext={`${formatNumber(sliderValue)} transactions per second`}
            onChange={(e) => rateControl.change(e.target.value)}
          />
          <input
            type="number"
            className="rate-input"
            min={1}
            step={1}
            value={rateControl.value}
            disabled={settings === null}
            aria-label="Producer rate (transactions per second)"
            aria-invalid={rateControl.error ? true : undefined}
            aria-describedby={rateControl.error ? 'rate-error' : undefined}
            onChange={(e) => rateControl.change(e.target.value)}
          />
          <span className="muted">tx/s</span>
        </label>
      </div>
      <ErrorNote error={rateControl.error} id="rate-error" />
      <fieldset className="faults">
        <legend>Fault injection ({FAULT_RATE * 100}% each, in force now)</legend>
        {FAULTS.map(([k, label]) => {
          const on = (settings?.faults[k] ?? 0) > 0;
          return (
            <label key={k} className="switch">
              <input
                type="checkbox"
                role="switch"
                checked={on}
                disabled={settings === null}
                onChange={() => toggleFault(k)}
              />{' '}
              {label}
              {on && settings && settings.faults[k] !== FAULT_RATE ? ` (${settings.faults[k] * 100}%)` : ''}
            </label>
          );
        })}
      </fieldset>
      <ErrorNote error={faults.error} />

      <div className="flow" aria-label="Pipeline flow">
        <Node
          title="Producer"
          stage={producer}
          error={stageErrors.producer}
          lines={[
            ['rate', rate(producer, p.rate, 'tx/s')],
            ['transactions', fmt(p.transactions)],
            ['records', fmt(p.records)],
            [
              'faults',
              fmt(
                p.records === undefined
                  ? undefined
                  : (p.malformed ?? 0) + (p.invalid ?? 0) + (p.late ?? 0) + (p.duplicate ?? 0),
              ),
            ],
          ]}
        />
        <span className="arrow" aria-hidden>
          →
        </span>
        <Node
          title="Kafka"
          lines={[
            ['topic', 'sales_transactions'],
            ['lag', fmt(s.lag)],
            ['partitions owned', fmt(s.partitions)],
          ]}
        />
        <span className="arrow" aria-hidden>
          →
        </span>
        <Node
          title="Stream"
          stage={stream}
          error={stageErrors.stream}
          lines={[
            ['rate', rate(stream, stream.rates.consumed, 'rec/s')],
            ['consumed', fmt(s.consumed)],
            ['lag', fmt(s.lag)],
            ['commits', fmt(s.commits)],
          ]}
        />
        <span className="arrow" aria-hidden>
          →
        </span>
        <div className="flow-col" aria-label="Lake layers (counted from the files)">
          <Node
            title="Bronze"
            lines={[
              ['records', fmt(lake?.bronze.records)],
              ['files', fmt(lake?.bronze.files)],
            ]}
          />
          <Node
            title="Silver"
            lines={[
              ['lines', fmt(lake?.silver.lines)],
              ['rate', rate(stream, stream.rates.silverLines, 'lines/s')],
            ]}
          />
          <Node
            title="Quarantine"
            lines={[
              ['records', fmt(lake?.quarantine.records)],
              ['files', fmt(lake?.quarantine.files)],
            ]}
          />
        </div>
        <span className="arrow" aria-hidden>
          →
        </span>
        <Node
          title="ETL"
          stage={etl}
          error={stageErrors.etl}
          lines={[
            ['files', fmt(etl.counters.files)],
            ['rows inserted', fmt(etl.counters.rowsInserted)],
            ['rows skipped', fmt(etl.counters.rowsSkipped)],
          ]}
        />
        <span className="arrow" aria-hidden>
          →
        </span>
        <Node title="Warehouse" lines={[['schema', 'star (fact_sales)']]} />
      </div>
      <p className="muted">Bronze, silver and quarantine are counted from the lake's Parquet files (durable).</p>
      <div className="flow" aria-label="Speed layer">
        <Node
          title="Stream"
          stage={stream}
          lines={[
            ['valid', fmt(s.valid)],
            ['late', fmt(s.late)],
          ]}
        />
        <span className="arrow" aria-hidden>
          →
        </span>
        <Node
          title="Redis"
          lines={[
            ['metrics errors', fmt(s.metricsErrors)],
            ['pending deltas', fmt(s.metricsPending)],
          ]}
        />
        <span className="arrow" aria-hidden>
          →
        </span>
        <Node title="Live" lines={[['windows', '1-minute tumbling']]} />
      </div>
      <LakeOffsets api={api} />
    </div>
  );
}
