import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import type { HostApi, StageStatus } from '../../engine/contract';

declare global {
  interface Window {
    api: HostApi;
  }
}

/** First screen: the stages with their state and counters, and the buttons that drive them. */
function Pipeline() {
  const [stages, setStages] = useState<StageStatus[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void window.api.call('stage.list', {}).then(setStages);
    return window.api.on('stage.status', (s) => setStages((all) => [...all.filter((x) => x.stage !== s.stage), s].sort((a, b) => a.stage.localeCompare(b.stage))));
  }, []);
  const act = (p: Promise<unknown>) => void p.then(() => setError(null), (e: Error) => setError(e.message));
  return (
    <main>
      <h1>Retail Pulse</h1>
      <div role="toolbar">
        <button onClick={() => act(window.api.call('stage.start', { stage: 'producer' }))}>Start producer</button>
        <button onClick={() => act(window.api.call('stage.stop', { stage: 'producer' }))}>Stop producer</button>
        <button onClick={() => act(window.api.call('stage.start', { stage: 'stream' }))}>Start stream</button>
        <button onClick={() => act(window.api.call('stage.stop', { stage: 'stream' }))}>Stop stream</button>
        <button onClick={() => act(window.api.call('etl.run', {}))}>Run ETL</button>
      </div>
      {error && <p role="alert">{error}</p>}
      <table>
        <tbody>
          {stages.map((s) => (
            <tr key={s.stage}>
              <th scope="row">{s.stage}</th>
              <td>{s.state}</td>
              <td>{Object.entries(s.counters).map(([k, v]) => `${k} ${v}`).join(' · ')}</td>
              <td>{s.error?.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Pipeline />
  </StrictMode>,
);
