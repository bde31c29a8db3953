import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { hostApi } from './api/hostApi';
import { App } from './App';
import { AppContext } from './context';
import { bindHost, createAppStore, createLiveStore, type Theme } from './store/appStore';
import './styles.css';

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
bindHost(api, app, live);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppContext.Provider value={{ api, app, live }}>
      <App />
    </AppContext.Provider>
  </StrictMode>,
);
