import { useCallback, useEffect } from 'react';
import type { TopicLag } from '../../../../engine/contract';
import { Chart, setPoints, type ChartInstance } from '../../components/Chart';
import { baseOption, PALETTE, valueAxis } from '../../components/chartStyle';
import { ErrorNote } from '../../components/ErrorNote';
import { timeFormat, useCtx, usePlace, useTimeFormat, useUi, type TimeFormat } from '../../context';
import { useHostQuery } from '../../hostQuery';
import { formatNumber } from '../../format';
import { setTopics, withSample } from '../../store/topicsState';

/** The Host keeps sampling while the page asked within a minute: it asks again this often. */
const RENEW_MS = 30_000;

/** The chart's option from the lag history: one line per partition (the group's lag), the lake's lag dashed. */
export function lagChart(lag: TopicLag, time: TimeFormat = timeFormat('UTC')) {
  const n = lag.partitions.length;
  const at = lag.samples.map((s) => s.at);
  const series = [
    ...Array.from({ length: n }, (_, p) => ({
      name: `partition ${p}`,
      type: 'line',
      showSymbol: lag.samples.length < 3,
      color: PALETTE[p % PALETTE.length],
      data: lag.samples.map((s, i) => [at[i], s.lag[p] ?? null]),
    })),
    ...(lag.groupIs === 'stream'
      ? [
          {
            name: 'lake lag, all partitions',
            type: 'line',
            showSymbol: lag.samples.length < 3,
            color: '#8b98a5',
            lineStyle: { type: 'dashed' },
            data: lag.samples.map((s, i) => [
              at[i],
              s.lakeLag.some((v) => v === null) ? null : s.lakeLag.reduce<number>((a, b) => a + (b ?? 0), 0),
            ]),
          },
        ]
      : []),
  ];
  return {
    option: baseOption({
      grid: { left: 64, right: 20, top: 40, bottom: 32 },
      legend: { type: 'scroll', top: 0 },
      // Samples come every 5 s and at each visit: a time axis keeps uneven gaps honest.
      xAxis: { type: 'time', axisLabel: { formatter: (v: number) => time.time(v), hideOverlap: true } },
      yAxis: valueAxis('Records behind'),
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => formatNumber(v) },
      series,
    }),
    points: at.length * series.length,
  };
}

/**
 * Lag per partition and per member of the stream's consumer group (or another), over time, with the
 * log's end, the group's commits and where the lake is: the offsets the stream trusts.
 */
export function LagView() {
  const { api, ui } = useCtx();
  const place = usePlace('topics:lag');
  const time = useTimeFormat();
  const { lag, group } = useUi((s) => s.topics);

  // The group typed when read (Show lag, or the renewal): only the newest read lands, so a renewal
  // of the group shown before cannot overwrite the one asked for since.
  const { refresh } = useHostQuery(
    (host) => {
      const g = ui.getState().topics.group;
      return host.call('topics.lag', g ? { group: g } : {});
    },
    [ui],
    { place: 'topics:lag', onData: (l) => setTopics(ui, { lag: l }) },
  );
  useEffect(() => {
    const renew = setInterval(() => void refresh(), RENEW_MS);
    const off = api.on('topics.lag', (next) => {
      const cur = ui.getState().topics.lag;
      if (cur && next.group === cur.group) setTopics(ui, { lag: withSample(cur, next) });
    });
    return () => {
      clearInterval(renew);
      off();
    };
  }, [api, refresh, ui]);

  const attach = useCallback(
    (chart: ChartInstance, el: HTMLElement) => {
      const draw = (l: TopicLag | null) => {
        if (!l) return;
        const built = lagChart(l, time);
        chart.setOption(built.option, { notMerge: true });
        setPoints(el, built.points);
      };
      draw(ui.getState().topics.lag);
      // Pushed outside React: a new sample redraws the chart, nothing else.
      return ui.subscribe((s, prev) => s.topics.lag !== prev.topics.lag && draw(s.topics.lag));
    },
    [ui, time],
  );

  return (
    <section aria-label="Lag">
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          void refresh();
        }}
      >
        <label>
          Consumer group{' '}
          <input
            aria-label="Consumer group"
            className="group-input"
            placeholder={lag?.groupIs === 'stream' ? lag.group : "the stream's"}
            value={group}
            onChange={(e) => setTopics(ui, { group: e.target.value })}
          />
        </label>
        <button type="submit">Show lag</button>
      </form>
      <ErrorNote error={place.error ?? lag?.error} />
      {lag && (
        <>
          <p role="status" aria-label="Group state">
            Group <strong>{lag.group}</strong> ({lag.groupIs === 'stream' ? "the stream's" : 'not the stream’s'}):{' '}
            {lag.state}. The stream starts each partition from <strong>the lake&apos;s offsets</strong> (its checkpoint)
            and trusts only them; the group&apos;s commits follow each flush, for monitoring (
            {lag.broker === 'kafka' ? 'kafka-consumer-groups.sh shows them' : 'kept beside the embedded log'}).
          </p>
          <Chart label="Lag per partition over time" attach={attach} height={240} />
          <div className="grid-wrap">
            <table className="grid" aria-label="Lag per partition">
              <thead>
                <tr>
                  {['partition', 'log end', 'committed', 'lag', 'lake', 'lake lag'].map((h) => (
                    <th key={h} scope="col" className="num">
                      {h}
                    </th>
                  ))}
                  <th scope="col">member</th>
                </tr>
              </thead>
              <tbody>
                {lag.partitions.map((p) => (
                  <tr key={p.partition}>
                    <td className="num">{p.partition}</td>
                    {[p.end, p.committed, p.lag, p.lake, p.lakeLag].map((v, i) => (
                      <td key={i} className="num">
                        {formatNumber(v)}
                      </td>
                    ))}
                    <td>{p.member ?? <span className="muted">none</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {lag.members.length > 0 ? (
            <div className="grid-wrap">
              <table className="grid" aria-label="Group members">
                <thead>
                  <tr>
                    <th scope="col">member</th>
                    <th scope="col">client</th>
                    <th scope="col">host</th>
                    <th scope="col">partitions</th>
                    <th scope="col" className="num">
                      lag
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {lag.members.map((m) => (
                    <tr key={m.memberId}>
                      <td>{m.memberId}</td>
                      <td>{m.clientId}</td>
                      <td>{m.host}</td>
                      <td>{m.partitions.join(', ') || '–'}</td>
                      <td className="num">{formatNumber(m.lag)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p className="muted">No member reads the topic in this group now.</p>
          )}
          <p className="muted">
            Sampled every 5 s while a stage runs or this page is open (the last hour is kept); times in {time.label}.
          </p>
        </>
      )}
    </section>
  );
}
