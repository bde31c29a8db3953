import { useEffect } from 'react';
import { ErrorNote } from '../../components/ErrorNote';
import { useCtx, usePlace, useUi } from '../../context';
import { formatNumber } from '../../format';
import { setTopics, TAIL_KEPT } from '../../store/topicsState';
import { MessageTable } from './MessageTable';

/**
 * New records as they arrive (the Host looks every half second, the newest 100 at most), of one
 * partition or all (its own choice, apart from the browser's, fixed while it follows). Pause stops
 * the Host's work for it; leaving the page pauses too.
 */
export function LiveTail() {
  const { api, ui } = useCtx();
  const place = usePlace('topics:tail');
  const { run } = place;
  const tail = useUi((s) => s.topics.tail);
  const partition = useUi((s) => s.topics.tailPick);
  const page = useUi((s) => s.topics.page);
  const partitions = page?.partitions ?? [];

  useEffect(() => {
    let live = true;
    const off = api.on('topics.tail', (e) => {
      const cur = ui.getState().topics.tail;
      setTopics(ui, {
        tail: {
          messages: [...[...e.messages].reverse(), ...cur.messages].slice(0, TAIL_KEPT),
          skipped: cur.skipped + e.skipped,
          error: e.error,
          following: e.error ? false : cur.following,
          partition: cur.partition,
        },
      });
    });
    // The state in force (another window may follow); nothing is started by opening the page.
    void run(api.call('topics.tail', {})).then((s) => {
      if (live && s)
        setTopics(ui, {
          tail: { ...ui.getState().topics.tail, following: s.following, partition: s.partition },
          ...(s.following ? { tailPick: s.partition } : {}),
        });
    });
    return () => {
      live = false;
      off();
      if (ui.getState().topics.tail.following) {
        setTopics(ui, { tail: { ...ui.getState().topics.tail, following: false } });
        void api.call('topics.tail', { follow: false }).catch(() => undefined);
      }
    };
  }, [api, run, ui]);

  const follow = async (on: boolean) => {
    const s = await place.run(api.call('topics.tail', { follow: on, partition: partition ?? undefined }));
    if (s)
      setTopics(ui, {
        tail: { ...ui.getState().topics.tail, following: s.following, partition: s.partition, error: null },
      });
  };

  return (
    <section aria-label="Live tail">
      <div className="toolbar">
        <label>
          Partition{' '}
          <select
            aria-label="Tail partition"
            value={partition ?? ''}
            disabled={tail.following}
            title={tail.following ? 'Pause to choose another partition' : undefined}
            onChange={(e) => setTopics(ui, { tailPick: e.target.value === '' ? null : Number(e.target.value) })}
          >
            <option value="">every partition</option>
            {partitions.map((p) => (
              <option key={p.partition} value={p.partition}>
                {p.partition}
              </option>
            ))}
            {partition !== null && !partitions.some((p) => p.partition === partition) && (
              <option value={partition}>{partition}</option>
            )}
          </select>
        </label>
        <button aria-pressed={tail.following} onClick={() => void follow(!tail.following)}>
          {tail.following ? 'Pause' : 'Follow'}
        </button>
        <button onClick={() => setTopics(ui, { tail: { ...tail, messages: [], skipped: 0 } })}>Clear</button>
        <span className="muted" role="status" aria-label="Tail state">
          {tail.following
            ? `following ${tail.partition === null ? 'every partition' : `partition ${tail.partition}`}, newest first`
            : 'paused'}
          {tail.skipped > 0 &&
            ` · ${formatNumber(tail.skipped)} more arrived than were sent (the newest 100 of each half second are)`}
        </span>
      </div>
      <ErrorNote error={tail.error ?? place.error} />
      {tail.messages.length > 0 ? (
        <MessageTable messages={tail.messages} label="Tail messages" />
      ) : (
        <p className="muted">{tail.following ? 'Waiting for new records…' : 'Follow shows records as they arrive.'}</p>
      )}
    </section>
  );
}
