import { useEffect, useRef, useState } from 'react';
import type { LakeCounts } from '../../../engine/contract';
import { useCtx, usePlace, useUi } from '../context';
import { useHostQuery } from '../hostQuery';
import type { StageView } from '../store/appStore';

/* The Pipeline page's controls that talk to the Host: the producer rate and the lake's counts. */

/**
 * Durable counts of the lake's layers: read at once, whenever the stream commits (its files are
 * then in the lake) or changes state, and every few seconds while the page is open. A late answer
 * never replaces a newer one.
 */
export function useLakeCounts(stream: StageView): LakeCounts | null {
  const { ui } = useCtx();
  const counts = useUi((s) => s.lakeCounts);
  const { refresh } = useHostQuery((host) => host.call('lake.counts', {}), [], {
    source: 'lake',
    refreshOn: [stream.state, stream.counters.commits],
    onData: (c) => ui.setState({ lakeCounts: c }),
  });
  useEffect(() => {
    const t = setInterval(() => void refresh(), 5000);
    return () => clearInterval(t);
  }, [refresh]);
  return counts;
}

/** The rate in force (from the Host), what the user is typing or dragging, and one debounced send per change. */
export function useRateControl() {
  const { api } = useCtx();
  const inForce = useUi((s) => s.producer?.rate ?? null);
  const [draft, setDraft] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const { run, error } = usePlace('pipeline.rate');
  const send = (text: string) => {
    const value = Number(text);
    return run(api.call('producer.configure', { rate: value })).then((s) => {
      if (s) setDraft(null);
    });
  };
  const change = (text: string) => {
    setDraft(text);
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => void send(text), 400);
  };
  /** A change still waiting for its send goes now (Start producer uses the rate the user sees). */
  const flush = async () => {
    if (timer.current && draft !== null) {
      clearTimeout(timer.current);
      timer.current = null;
      await send(draft);
    }
  };
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);
  return { value: draft ?? (inForce === null ? '' : String(inForce)), inForce, change, flush, error };
}
