import { useEffect, useState } from 'react';
import type { LakeOffsets as Offsets } from '../../../engine/contract';

/** What this panel needs of the Host (a HostApi is one). */
export interface OffsetsSource {
  call(name: 'stream.offsets', req: Record<string, never>): Promise<Offsets>;
  on(name: 'stream.offsets', listener: (o: Offsets) => void): () => void;
}

const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * Where the stream's offsets live (the lake, by its id), the consumer group in force, and what the
 * stream read from where at its last start or rebalance, with anything a user should act on.
 * Reads what the Host holds, then follows its stream.offsets events; writes nothing.
 */
export function LakeOffsets({ api }: { api: OffsetsSource }) {
  const [o, setO] = useState<Offsets | null>(null);
  useEffect(() => {
    let live = true;
    const off = api.on('stream.offsets', (next) => live && setO(next));
    void api.call('stream.offsets', {}).then(
      (first) => live && setO((cur) => (cur && cur.at > first.at ? cur : first)),
      () => undefined,
    );
    return () => {
      live = false;
      off();
    };
  }, [api]);
  if (!o) return null;
  return (
    <section className="offsets" aria-label="Lake offsets">
      <h3>Offsets</h3>
      <dl>
        <div>
          <dt>kept in</dt>
          <dd>
            {o.lake}
            {o.lakeId ? ` (lake ${o.lakeId})` : ''}
          </dd>
        </div>
        <div>
          <dt>consumer group</dt>
          <dd>
            {o.group ?? '…'} <span className="muted">{o.groupFrom === 'setting' ? '(set)' : "(the lake's own)"}</span>
          </dd>
        </div>
        <div>
          <dt>topic</dt>
          <dd>{o.topic}</dd>
        </div>
      </dl>
      {o.notices.map((n, i) => (
        <p key={i} className="notice" role="status">
          {n.message}
        </p>
      ))}
      {o.partitions.length > 0 && (
        <div className="grid-wrap">
          <table className="grid" aria-label="Partition starts">
            <thead>
              <tr>
                {['partition', 'lake', 'group committed', 'log earliest', 'log end', 'read from'].map((h) => (
                  <th key={h}>{h}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {o.partitions.map((p) => (
                <tr key={p.partition}>
                  <td className="num">{p.partition}</td>
                  {[p.lake, p.committed, p.earliest, p.end, p.start].map((v, i) => (
                    <td key={i} className="num">
                      {fmt(v)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
