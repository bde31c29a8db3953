import { ErrorNote } from '../../components/ErrorNote';
import { useCtx, usePlace, useUi } from '../../context';
import { formatBytes, formatNumber } from '../../format';
import { setTopics } from '../../store/topicsState';
import { usePageLoader } from './TopicBrowser';
import { useSearch } from './TransactionSearch';
import { sampleSale } from './topicText';

/** The transaction id of a JSON value, when it has one. */
function transactionOf(value: string): string | null {
  try {
    const v = JSON.parse(value) as { transaction_id?: unknown } | null;
    return typeof v?.transaction_id === 'string' ? v.transaction_id : null;
  } catch {
    return null;
  }
}

/** One message written by hand, sent like the app's own; the stream validates it as it would any till's. */
export function HandWritten() {
  const { api, ui } = useCtx();
  const place = usePlace('topics:produce');
  const { draft, sent } = useUi((s) => s.topics);
  const load = usePageLoader();
  const find = useSearch();

  const sample = async () => {
    const catalog = await api.call('catalog.get', {}).catch(() => null);
    setTopics(ui, { draft: { ...draft, value: sampleSale(catalog) } });
  };
  const send = async () => {
    const r = await place.run(
      api.call('topics.produce', { value: draft.value, ...(draft.key ? { key: draft.key } : {}) }),
    );
    setTopics(ui, { sent: r ?? null });
  };
  const id = transactionOf(draft.value);

  return (
    <section aria-label="Send a message by hand">
      <div className="toolbar">
        <label>
          Key{' '}
          <input
            aria-label="Message key"
            placeholder="the value's store_id"
            value={draft.key}
            onChange={(e) => setTopics(ui, { draft: { ...draft, key: e.target.value } })}
          />
        </label>
        <button onClick={() => void sample()}>Start from a valid sale</button>
      </div>
      <textarea
        aria-label="Message value"
        rows={10}
        spellCheck={false}
        placeholder='{"transaction_id": "…", "timestamp_utc": "…", "store_id": 1, …}'
        value={draft.value}
        onChange={(e) => setTopics(ui, { draft: { ...draft, value: e.target.value } })}
      />
      <div className="toolbar">
        <button onClick={() => void send()} disabled={draft.value === ''}>
          Send to the topic
        </button>
        <span className="muted">
          It goes through the topic&apos;s producer like the app&apos;s own sales; the stream validates it like any
          till&apos;s (break a rule to see its quarantine reason).
        </span>
      </div>
      <ErrorNote error={place.error} />
      {sent && (
        <p role="status" aria-label="Sent">
          Sent {formatBytes(sent.bytes)} with key “{sent.key}” to partition {sent.partition}
          {sent.offset !== null ? `, offset ${formatNumber(sent.offset)}` : ''}.{' '}
          {sent.offset !== null && (
            <button
              className="link"
              onClick={() => {
                setTopics(ui, { partition: sent.partition, startAt: 'offset', offset: String(sent.offset) });
                void load({ partition: sent.partition, offset: sent.offset! });
              }}
            >
              Show it
            </button>
          )}
          {id && sent.offset !== null && ' · '}
          {id && (
            <button className="link" onClick={() => void find(id)}>
              Search for {id}
            </button>
          )}
        </p>
      )}
    </section>
  );
}
