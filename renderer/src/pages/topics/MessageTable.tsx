import { Fragment } from 'react';
import type { TopicMessage } from '../../../../engine/contract';
import { useCtx, useTimeFormat, useUi } from '../../context';
import { formatBytes, formatNumber } from '../../format';
import { messageId, setTopics } from '../../store/topicsState';
import { prettyValue, valuePreview } from './topicText';

/** A message's whole value: indented JSON, or the text as it is (said not to be JSON). */
export function MessageValue({ value }: { value: string }) {
  const { text, json } = prettyValue(value);
  return (
    <>
      {!json && <p className="muted">Not JSON: shown as it is on the topic.</p>}
      <pre className="topic-value" tabIndex={0}>
        {text}
      </pre>
    </>
  );
}

/**
 * Messages with partition, offset, time, key and size; each row opens to its whole value (a button,
 * so the keyboard reaches it). Which rows are open lives in the page's state.
 */
export function MessageTable({ messages, label }: { messages: TopicMessage[]; label: string }) {
  const { ui } = useCtx();
  const time = useTimeFormat();
  const open = useUi((s) => s.topics.open);
  const toggle = (id: string) => {
    const cur = ui.getState().topics.open;
    setTopics(ui, { open: cur.includes(id) ? cur.filter((x) => x !== id) : [...cur, id] });
  };
  return (
    <div className="grid-wrap topic-messages" role="region" aria-label={label}>
      <table className="grid" aria-label={label}>
        <thead>
          <tr>
            <th scope="col">
              <span className="sr-only">value</span>
            </th>
            <th scope="col" className="num">
              partition
            </th>
            <th scope="col" className="num">
              offset
            </th>
            <th scope="col">time</th>
            <th scope="col">key</th>
            <th scope="col" className="num">
              size
            </th>
            <th scope="col">value</th>
          </tr>
        </thead>
        <tbody>
          {messages.map((m) => {
            const id = messageId(m);
            const isOpen = open.includes(id);
            return (
              <Fragment key={id}>
                <tr>
                  <td>
                    <button
                      className="link"
                      aria-expanded={isOpen}
                      aria-label={`${isOpen ? 'Hide' : 'Show'} the value of ${m.partition}@${m.offset}`}
                      onClick={() => toggle(id)}
                    >
                      {isOpen ? '▾' : '▸'}
                    </button>
                  </td>
                  <td className="num">{m.partition}</td>
                  <td className="num">{formatNumber(m.offset)}</td>
                  <td>{time.dateTime(m.timestamp)}</td>
                  <td>{m.key === null ? <span className="muted">none</span> : m.key}</td>
                  <td className="num">{formatBytes(m.bytes)}</td>
                  <td className="topic-preview">{valuePreview(m.value)}</td>
                </tr>
                {isOpen && (
                  <tr className="topic-open">
                    <td />
                    <td colSpan={6}>
                      <MessageValue value={m.value} />
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
