import type { TopicSearchHit } from '../../../../engine/contract';
import { ErrorNote } from '../../components/ErrorNote';
import { useCtx, usePlace, useTimeFormat, useUi } from '../../context';
import { formatBytes, formatDuration, formatNumber } from '../../format';
import { setTopics } from '../../store/topicsState';
import { MessageValue } from './MessageTable';

function where(h: TopicSearchHit): string {
  if (h.place === 'silver')
    return h.replayed ? `silver, replayed from quarantine (was ${h.reason})` : 'silver (accepted)';
  if (h.place === 'quarantine') return `quarantine: ${h.reason ?? 'no reason recorded'}`;
  return 'only in the log: the stream has not written it yet';
}

/** Searches for a transaction id into the page's state; its error goes beside the search box. */
export function useSearch(): (id: string) => Promise<void> {
  const { api, ui } = useCtx();
  const place = usePlace('topics:search');
  return async (id) => {
    setTopics(ui, { searching: true, search: id });
    const r = await place.run(api.call('topics.search', { transactionId: id }));
    // A failed search clears the last answer: it must not pass for this id's.
    setTopics(ui, { searching: false, found: r ?? null });
  };
}

/** Every record of a transaction id: where it went (silver, quarantine) or that it is only in the log so far. */
export function TransactionSearch() {
  const { ui } = useCtx();
  const place = usePlace('topics:search');
  const time = useTimeFormat();
  const { search, found, searching } = useUi((s) => s.topics);
  const find = useSearch();
  const run = () => find(search);

  return (
    <section aria-label="Find a transaction">
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <input
          type="search"
          aria-label="Transaction id"
          placeholder="transaction id"
          size={40}
          value={search}
          onChange={(e) => setTopics(ui, { search: e.target.value })}
        />
        <button type="submit" disabled={searching || search.trim() === ''}>
          {searching ? 'Searching…' : 'Search'}
        </button>
      </form>
      <ErrorNote error={place.error} />
      {found && (
        <div role="status" aria-label="Search result">
          <p>
            {found.hits.length === 0
              ? `No record has transaction id ${found.transactionId}.`
              : `${formatNumber(found.hits.length)} record${found.hits.length === 1 ? '' : 's'} with transaction id ${found.transactionId}:`}{' '}
            <span className="muted">
              the lake through its checkpoint ({formatNumber(found.lake.files)} silver and quarantine files,{' '}
              {formatDuration(found.lake.ms)}), then {formatNumber(found.log.records)} log records past it (
              {formatDuration(found.log.ms)}); {formatDuration(found.ms)} in all.
            </span>
          </p>
          <ul className="topic-hits">
            {found.hits.map((h) => (
              <li key={`${h.partition}:${h.offset}`}>
                <p>
                  <span className={`badge place-${h.place}`}>{h.place}</span>{' '}
                  <strong>
                    partition {h.partition}, offset {formatNumber(h.offset)}
                  </strong>{' '}
                  — {where(h)}
                  {h.message && (
                    <span className="muted">
                      {' '}
                      · {time.dateTime(h.message.timestamp)} · key {h.message.key ?? 'none'} ·{' '}
                      {formatBytes(h.message.bytes)}
                      {h.from === 'bronze' ? ' · from bronze (the log no longer holds it)' : ''}
                    </span>
                  )}
                </p>
                {h.message ? (
                  <MessageValue value={h.message.value} />
                ) : (
                  <p className="muted">Neither the log nor bronze holds the record any more.</p>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
