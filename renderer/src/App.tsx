import { useEffect, useState, type ReactNode } from 'react';
import { useCtx, useApp } from './context';
import { dismissError } from './store/appStore';
import { Data } from './pages/Data';
import { Etl } from './pages/Etl';
import { Infrastructure } from './pages/Infrastructure';
import { Lake } from './pages/Lake';
import { Live } from './pages/Live';
import { Pipeline } from './pages/Pipeline';
import { Settings } from './pages/Settings';
import { Warehouse } from './pages/Warehouse';

export const PAGES: [string, string, () => ReactNode][] = [
  ['pipeline', 'Pipeline', () => <Pipeline />],
  ['live', 'Live', () => <Live />],
  ['lake', 'Lake', () => <Lake />],
  ['data', 'Data', () => <Data />],
  ['warehouse', 'Warehouse', () => <Warehouse />],
  ['etl', 'ETL', () => <Etl />],
  ['infrastructure', 'Infrastructure', () => <Infrastructure />],
  ['settings', 'Settings', () => <Settings />],
];

function currentPage(): string {
  const id = location.hash.replace(/^#\/?/, '');
  return PAGES.some(([p]) => p === id) ? id : 'pipeline';
}

/** Navigation by hash (works from file:// in Electron and over http in web mode), errors, theme. */
export function App() {
  const { app } = useCtx();
  const [page, setPage] = useState(currentPage);
  const theme = useApp((s) => s.theme);
  const errors = useApp((s) => s.errors);
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
      <div className="errors" aria-live="polite">
        {errors.map((e) => (
          <p key={e.id} role="alert">
            <strong>{e.source}:</strong> {e.message}{' '}
            <button onClick={() => dismissError(app, e.id)} aria-label="Dismiss">
              ×
            </button>
          </p>
        ))}
      </div>
      <main>{PAGES.find(([id]) => id === page)![2]()}</main>
    </div>
  );
}
