import { useEffect, useState, type ReactNode } from 'react';
import { PageErrors } from './components/ErrorNote';
import { PageContext, useApp, useCtx, useUi } from './context';
import { Alerts, AlertBadge } from './pages/Alerts';
import { Data } from './pages/Data';
import { DataQuality } from './pages/DataQuality';
import { Dashboard } from './pages/Dashboard';
import { Etl } from './pages/Etl';
import { Infrastructure } from './pages/Infrastructure';
import { Lake } from './pages/Lake';
import { Live } from './pages/Live';
import { Pipeline } from './pages/Pipeline';
import { Reconciliation } from './pages/Reconciliation';
import { Settings } from './pages/Settings';
import { Topics } from './pages/Topics';
import { Warehouse } from './pages/Warehouse';

export const PAGES: [string, string, () => ReactNode][] = [
  ['pipeline', 'Pipeline', () => <Pipeline />],
  ['live', 'Live', () => <Live />],
  ['topics', 'Topics', () => <Topics />],
  ['lake', 'Lake', () => <Lake />],
  ['data', 'Data', () => <Data />],
  ['quality', 'Data quality', () => <DataQuality />],
  ['warehouse', 'Warehouse', () => <Warehouse />],
  ['dashboard', 'Dashboard', () => <Dashboard />],
  ['etl', 'ETL', () => <Etl />],
  ['reconciliation', 'Reconciliation', () => <Reconciliation />],
  ['alerts', 'Alerts', () => <Alerts />],
  ['infrastructure', 'Infrastructure', () => <Infrastructure />],
  ['settings', 'Settings', () => <Settings />],
];

function currentPage(): string {
  const id = location.hash.replace(/^#\/?/, '');
  return PAGES.some(([p]) => p === id) ? id : 'pipeline';
}

const SERVICE_NAMES: Record<string, string> = {
  broker: 'Broker',
  lake: 'Lake',
  warehouse: 'Warehouse',
  metrics: 'Metrics store',
};

/** Services that do not answer: a standing state (not an error that piles up), with the way to fix it. */
function ServiceAlert() {
  const failed = useUi((s) => s.services).filter((x) => x.state === 'failed');
  if (failed.length === 0) return null;
  return (
    <a className="service-alert" href="#/settings">
      {failed.map((s) => SERVICE_NAMES[s.service]).join(', ')} not reachable — fix in Settings
    </a>
  );
}

/** Navigation by hash (works from file:// in Electron and over http in web mode), theme, each page's errors. */
export function App() {
  const { app } = useCtx();
  const [page, setPage] = useState(currentPage);
  const theme = useApp((s) => s.theme);
  const connected = useApp((s) => s.connected);

  useEffect(() => {
    const on = () => setPage(currentPage());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('retail-pulse-theme', theme);
  }, [theme]);

  return (
    <div className="shell">
      <header>
        <h1>Retail Pulse</h1>
        <nav aria-label="Pages">
          {PAGES.map(([id, name]) => (
            <a key={id} href={`#/${id}`} aria-current={page === id ? 'page' : undefined}>
              {name}
            </a>
          ))}
        </nav>
        <ServiceAlert />
        <AlertBadge />
        <span
          className={`dot ${connected ? 'ok' : ''}`}
          role="status"
          aria-label={connected ? 'connected to the host' : 'connecting'}
        />
        <button
          className="theme"
          onClick={() => app.setState({ theme: theme === 'dark' ? 'light' : 'dark' })}
          aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}
        >
          {theme === 'dark' ? '☀' : '☾'}
        </button>
      </header>
      <main>
        <PageContext.Provider value={page}>
          <PageErrors page={page} />
          {PAGES.find(([id]) => id === page)![2]()}
        </PageContext.Provider>
      </main>
    </div>
  );
}
