import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { hostApi } from './api/hostApi';
import { App } from './App';
import { AppContext } from './context';
import { bindHost, createAppStore, createLiveStore, type Theme } from './store/appStore';
import { bindUi, createUiStore } from './store/uiStore';
import { bindOps } from './store/opsState';
import './styles.css';
import './styles-data.css';
import './sqlLab.css';

const saved = localStorage.getItem('retail-pulse-theme');
const theme: Theme =
  saved === 'light' || saved === 'dark'
    ? saved
    : matchMedia('(prefers-color-scheme: light)').matches
      ? 'light'
      : 'dark';
document.documentElement.dataset.theme = theme;

const api = hostApi();
const app = createAppStore(theme);
const live = createLiveStore();
const ui = createUiStore(localStorage.getItem('retail-pulse-zone') ?? 'local');
ui.subscribe((s, prev) => {
  if (s.zone !== prev.zone) localStorage.setItem('retail-pulse-zone', s.zone);
});
bindHost(api, app, live);
bindUi(api, ui);
bindOps(api, ui, { electron: window.api !== undefined });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppContext.Provider value={{ api, app, live, ui }}>
      <App />
    </AppContext.Provider>
  </StrictMode>,
);
