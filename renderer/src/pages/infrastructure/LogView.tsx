import { useEffect, useRef, useState } from 'react';
import type { InfraLogLine } from '../../../../engine/contract';
import { useAct, useCtx } from '../../context';

const MAX_LINES = 5000;

/** A log view whose follow pauses when scrolled up, with search. One service per mount (the page keys it by service). */
export function LogView({ service }: { service: string }) {
  const { api } = useCtx();
  const act = useAct();
  const [lines, setLines] = useState<InfraLogLine[]>([]);
  const [query, setQuery] = useState('');
  const [follow, setFollow] = useState(true);
  const box = useRef<HTMLPreElement>(null);

  useEffect(() => {
    void act(api.call('infra.logs', { service, tail: 500, follow: true }), 'infra').then((r) => r && setLines(r.lines));
    const off = api.on('infra.log', (e) =>
      setLines((cur) => [...cur, ...e.lines.filter((l) => l.service === service)].slice(-MAX_LINES)),
    );
    return () => {
      off();
      void api.call('infra.logs', { service, follow: false }).catch(() => undefined);
    };
  }, [api, act, service]);
  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines, follow]);

  const shown = query ? lines.filter((l) => l.line.toLowerCase().includes(query.toLowerCase())) : lines;
  return (
    <section aria-label={`Logs of ${service}`}>
      <div className="toolbar">
        <input
          type="search"
          placeholder="Search logs"
          aria-label="Search logs"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <label className="switch">
          <input type="checkbox" role="switch" checked={follow} onChange={() => setFollow(!follow)} /> Follow
        </label>
      </div>
      <pre
        ref={box}
        className="logs"
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 8;
          if (atBottom !== follow) setFollow(atBottom);
        }}
      >
        {shown.map((l) => `${l.time.slice(11, 19)} ${l.stream === 'stderr' ? '!' : ' '} ${l.line}`).join('\n') ||
          'no lines'}
      </pre>
    </section>
  );
}
