import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { FaultRates } from '../../../engine/contract';
import { LakeOffsets } from '../components/LakeOffsets';
import { useAct, useApp, useCtx } from '../context';
import type { StageView } from '../store/appStore';

const fmt = (n: number | undefined) => (n === undefined ? '–' : Math.round(n).toLocaleString('en-US'));

function Node({ title, stage, lines }: { title: string; stage?: StageView; lines: [string, string][] }) {
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
      {stage?.error && (
        <p className="node-error" role="alert">
          {stage.error.message}
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

/** The flow, each stage's state, rate, counts, lag and last error; the controls that drive it. */
export function Pipeline() {
  const { api } = useCtx();
  const act = useAct();
  const { producer, stream, etl } = useApp(useShallow((s) => s.stages));
  const [rate, setRate] = useState(500);
  const [faults, setFaults] = useState<Record<keyof FaultRates, boolean>>({
    malformed: false,
    invalid: false,
    late: false,
    duplicate: false,
  });
  const p = producer.counters;
  const s = stream.counters;

  useEffect(() => {
    const t = setTimeout(() => void act(api.call('producer.configure', { rate }), 'producer'), 200);
    return () => clearTimeout(t);
  }, [rate]);

  const toggleFault = (k: keyof FaultRates) => {
    const next = { ...faults, [k]: !faults[k] };
    setFaults(next);
    void act(api.call('producer.configure', { faults: { [k]: next[k] ? 0.02 : 0 } }), 'producer');
  };

  return (
    <div className="page">
      <h2>Pipeline</h2>
      <div className="toolbar" role="toolbar" aria-label="Stage controls">
        <button
          onClick={() => void act(api.call('stage.start', { stage: 'producer', settings: { rate } }), 'producer')}
          disabled={producer.state === 'running'}
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
          disabled={stream.state === 'running'}
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
            min={10}
            max={20000}
            step={10}
            value={rate}
            aria-label="Producer rate"
            aria-valuetext={`${rate} transactions per second`}
            onChange={(e) => setRate(Number(e.target.value))}
          />
          <output>{rate.toLocaleString('en-US')} tx/s</output>
        </label>
      </div>
      <fieldset className="faults">
        <legend>Fault injection (2% each)</legend>
        {FAULTS.map(([k, label]) => (
          <label key={k} className="switch">
            <input
              type="checkbox"
              role="switch"
              checked={faults[k]}
              onChange={() => toggleFault(k)}
              aria-checked={faults[k]}
            />{' '}
            {label}
          </label>
        ))}
      </fieldset>

      <div className="flow" aria-label="Pipeline flow">
        <Node
          title="Producer"
          stage={producer}
          lines={[
            ['rate', `${fmt(p.rate)} tx/s`],
            ['transactions', fmt(p.transactions)],
            ['records', fmt(p.records)],
            ['faults', fmt((p.malformed ?? 0) + (p.invalid ?? 0) + (p.late ?? 0) + (p.duplicate ?? 0))],
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
          lines={[
            ['rate', `${fmt(stream.rates.consumed)} rec/s`],
            ['consumed', fmt(s.consumed)],
            ['lag', fmt(s.lag)],
            ['commits', fmt(s.commits)],
          ]}
        />
        <span className="arrow" aria-hidden>
          →
        </span>
        <div className="flow-col">
          <Node
            title="Bronze"
            lines={[
              ['records', fmt(s.consumed)],
              ['files', fmt(s.files)],
            ]}
          />
          <Node
            title="Silver"
            lines={[
              ['lines', fmt(s.silverLines)],
              ['rate', `${fmt(stream.rates.silverLines)} lines/s`],
            ]}
          />
          <Node
            title="Quarantine"
            lines={[
              ['records', fmt(s.quarantined)],
              ['duplicates', fmt(s.duplicates)],
            ]}
          />
        </div>
        <span className="arrow" aria-hidden>
          →
        </span>
        <Node
          title="ETL"
          stage={etl}
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
