import { useCallback, useEffect, useRef, useState } from 'react';
import type { TopicReadRequest } from '../../../../engine/contract';
import { ErrorNote } from '../../components/ErrorNote';
import { useCtx, usePlace, useTimeFormat, useUi } from '../../context';
import { formatDuration, formatNumber } from '../../format';
import { setTopics, type StartAt } from '../../store/topicsState';
import { MessageTable } from './MessageTable';
import { wallTimeToEpoch } from './topicText';

export const PAGE = 100;

/**
 * Loads a page into the page's state; its error goes beside the browser. Only the newest request
 * lands: a slow answer to an earlier click (Older, then Newer at once) is dropped.
 */
export function usePageLoader(): (req: TopicReadRequest) => Promise<void> {
  const { api, ui } = useCtx();
  const { run } = usePlace('topics:read');
  const seq = useRef(0);
  return useCallback(
    async (req) => {
      const mine = ++seq.current;
      const page = await run(api.call('topics.read', { ...req, limit: PAGE }));
      if (page && mine === seq.current) setTopics(ui, { page, open: [], shown: req.partition ?? null });
    },
    [api, run, ui],
  );
}

/** Messages of the topic by partition and offset, or from a time, or the newest; pages older and newer. */
export function TopicBrowser() {
  const { ui } = useCtx();
  const place = usePlace('topics:read');
  const time = useTimeFormat();
  const t = useUi((s) => s.topics);
  const load = usePageLoader();
  const [inputError, setInputError] = useState<string | null>(null);
  const partitions = t.page?.partitions ?? [];
  const partition = t.partition ?? undefined;

  // The first visit shows the newest records; coming back shows the page left.
  useEffect(() => {
    if (!ui.getState().topics.page) void load({});
  }, [load, ui]);

  const show = () => {
    setInputError(null);
    if (t.startAt === 'newest') return void load({ partition });
    if (t.startAt === 'offset') {
      if (partition === undefined) return setInputError('An offset is within one partition: choose the partition.');
      const offset = Number(t.offset);
      if (t.offset.trim() === '' || !Number.isInteger(offset) || offset < 0)
        return setInputError('The offset is a whole number, 0 or more.');
      return void load({ partition, offset });
    }
    const at = wallTimeToEpoch(t.time, time.zone);
    if (at === null) return setInputError(`Give a date and a time (in ${time.label}).`);
    void load({ partition, time: at });
  };
  const page = t.page;
  // Older and newer go on from the page shown, in the partition it was read from.
  const shown = t.shown ?? undefined;
  const atStart = !page || page.start.every((o, p) => o <= (page.partitions[p]?.earliest ?? 0));
  const atEnd = !page || page.next.every((o, p) => o >= (page.partitions[p]?.end ?? 0));

  return (
    <section aria-label="Messages">
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          show();
        }}
      >
        <label>
          Partition{' '}
          <select
            aria-label="Partition"
            value={t.partition ?? ''}
            onChange={(e) => setTopics(ui, { partition: e.target.value === '' ? null : Number(e.target.value) })}
          >
            <option value="">all, by time</option>
            {partitions.map((p) => (
              <option key={p.partition} value={p.partition}>
                {p.partition}
              </option>
            ))}
          </select>
        </label>
        <label>
          Start at{' '}
          <select
            aria-label="Start at"
            value={t.startAt}
            onChange={(e) => setTopics(ui, { startAt: e.target.value as StartAt })}
          >
            <option value="newest">the newest</option>
            <option value="offset">an offset</option>
            <option value="time">a time</option>
          </select>
        </label>
        {t.startAt === 'offset' && (
          <input
            type="number"
            min={0}
            aria-label="Offset"
            className="rate-input"
            value={t.offset}
            onChange={(e) => setTopics(ui, { offset: e.target.value })}
          />
        )}
        {t.startAt === 'time' && (
          <input
            type="datetime-local"
            step={1}
            aria-label={`Time (${time.label})`}
            value={t.time}
            onChange={(e) => setTopics(ui, { time: e.target.value })}
          />
        )}
        <button type="submit">Show</button>
        <button
          type="button"
          disabled={atStart}
          onClick={() => page && void load({ partition: shown, cursor: page.start, direction: 'before' })}
        >
          Older
        </button>
        <button
          type="button"
          disabled={atEnd}
          onClick={() => page && void load({ partition: shown, cursor: page.next, direction: 'after' })}
        >
          Newer
        </button>
      </form>
      <ErrorNote error={inputError ? { message: inputError } : place.error} />
      {page && page.partitions.length === 0 && (
        <p className="muted" role="status">
          The topic {page.topic} does not exist yet: the producer, an import or a message sent by hand creates it.
        </p>
      )}
      {page && page.partitions.length > 0 && (
        <>
          <p className="muted" role="status" aria-label="Page">
            {page.topic} ({page.broker === 'kafka' ? 'Kafka' : 'embedded log'}):{' '}
            {page.partitions
              .map(
                (p) =>
                  `partition ${p.partition} ${p.end > p.earliest ? `holds ${formatNumber(p.earliest)}–${formatNumber(p.end - 1)}` : 'is empty'}`,
              )
              .join(', ')}
            . {formatNumber(page.messages.length)} message{page.messages.length === 1 ? '' : 's'}
            {t.shown === null ? ' of every partition, in the order they arrived' : ` of partition ${t.shown}`}, read in{' '}
            {formatDuration(page.ms)} without a consumer group; times in {time.label}.
          </p>
          <MessageTable messages={page.messages} label="Messages of the topic" />
        </>
      )}
    </section>
  );
}
