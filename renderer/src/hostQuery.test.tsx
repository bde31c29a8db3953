import { act, useState } from 'react';
import { describe, expect, it } from 'vitest';
import type { EtlRunRecord } from '../../engine/contract';
import { HostCallError } from './api/hostError';
import { PageErrors } from './components/ErrorNote';
import { useHostQuery, type HostQuery } from './hostQuery';
import { fakeHost, render, settle } from './testing/harness';

/** A promise the test resolves or rejects when it chooses. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const run = (id: number): EtlRunRecord => ({
  run_id: String(id),
  started_at: '2026-11-29T12:00:00Z',
  finished_at: '2026-11-29T12:00:01Z',
  status: 'succeeded',
  files_loaded: 1,
  rows_inserted: id,
  rows_skipped: 0,
  error: null,
});

/** etl.history answers are held by the test, one per call, in call order. */
function slowHost() {
  const pending: ReturnType<typeof deferred<EtlRunRecord[]>>[] = [];
  const host = fakeHost({
    'etl.history': () => {
      const d = deferred<EtlRunRecord[]>();
      pending.push(d);
      return d.promise;
    },
  });
  return { ...host, pending };
}

/** What the test drives: the hook's handle and the component's limit, handed out at each render. */
const probe: { query?: HostQuery<EtlRunRecord[]>; setLimit?: (n: number) => void } = {};
/** What onData handed on (as a store slice would receive it). */
const handedOn: string[] = [];
function History({ expose }: { expose: (q: HostQuery<EtlRunRecord[]>, setLimit: (n: number) => void) => void }) {
  const [limit, setLimit] = useState(1);
  const query = useHostQuery((api) => api.call('etl.history', { limit }), [limit], {
    source: 'etl',
    onData: (runs) => handedOn.push(runs.map((r) => r.run_id).join(',')),
  });
  expose(query, setLimit);
  return (
    <>
      <PageErrors page="etl" />
      <p id="runs">{query.data ? query.data.map((r) => r.run_id).join(',') : 'none yet'}</p>
    </>
  );
}
const expose = (q: HostQuery<EtlRunRecord[]>, setLimit: (n: number) => void) => {
  probe.query = q;
  probe.setLimit = setLimit;
};
const query = () => probe.query!;
const setLimit = (n: number) => probe.setLimit!(n);

describe('useHostQuery', () => {
  it('drops an answer that arrives after a newer read began: the page shows the newer one', async () => {
    const { api, calls, pending } = slowHost();
    const { el, unmount } = await render(<History expose={expose} />, api, 'etl');
    act(() => setLimit(2));
    await settle();
    expect(calls).toEqual([
      ['etl.history', { limit: 1 }],
      ['etl.history', { limit: 2 }],
    ]);
    await act(async () => pending[1].resolve([run(1), run(2)]));
    expect(el.querySelector('#runs')!.textContent).toBe('1,2');
    // The first read (limit 1) answers last: it is stale and must not replace the newer list.
    await act(async () => pending[0].resolve([run(9)]));
    await settle();
    expect(el.querySelector('#runs')!.textContent).toBe('1,2');
    expect(handedOn.at(-1)).toBe('1,2');
    expect(query().loading).toBe(false);
    unmount();
  });

  it('a stale failure is not shown, a current one is shown on the page', async () => {
    const { api, pending } = slowHost();
    const { el, unmount } = await render(<History expose={expose} />, api, 'etl');
    act(() => setLimit(2));
    await settle();
    await act(async () => pending[1].resolve([run(3)]));
    // The older read fails after the newer one answered: its error is about nothing on screen.
    await act(async () =>
      pending[0].reject(new HostCallError({ code: 'lake_io', message: 'old read failed', retriable: true })),
    );
    expect(el.textContent).not.toContain('old read failed');
    expect(el.querySelector('#runs')!.textContent).toBe('3');
    let again!: Promise<EtlRunRecord[] | undefined>;
    act(() => {
      again = query().refresh();
    });
    await settle();
    await act(async () =>
      pending[2].reject(new HostCallError({ code: 'lake_io', message: 'lake unreachable', retriable: true })),
    );
    expect(await again).toBeUndefined();
    expect(el.textContent).toContain('lake unreachable');
    // The last good answer stays in view beside the error.
    expect(el.querySelector('#runs')!.textContent).toBe('3');
    unmount();
  });

  it('set() (a command answered) wins over a read still in flight', async () => {
    const { api, pending } = slowHost();
    const { el, unmount } = await render(<History expose={expose} />, api, 'etl');
    act(() => query().set([run(7)]));
    await act(async () => pending[0].resolve([run(1)]));
    expect(el.querySelector('#runs')!.textContent).toBe('7');
    unmount();
  });

  it('an answer arriving after the page closed is not handed on', async () => {
    const { api, pending } = slowHost();
    const { unmount } = await render(<History expose={expose} />, api, 'etl');
    handedOn.length = 0;
    unmount();
    await act(async () => pending[0].resolve([run(1)]));
    expect(handedOn).toEqual([]);
  });
});
