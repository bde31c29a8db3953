import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allowNavigation, APP_CSP, windowOptions } from './window';

test('the window isolates the page: context isolation, sandbox, no Node, web security', () => {
  const o = windowOptions('/app/preload.cjs');
  assert.equal(o.webPreferences?.preload, '/app/preload.cjs');
  assert.equal(o.webPreferences?.contextIsolation, true);
  assert.equal(o.webPreferences?.sandbox, true);
  assert.equal(o.webPreferences?.nodeIntegration, false);
  assert.equal(o.webPreferences?.nodeIntegrationInWorker, false);
  assert.equal(o.webPreferences?.webSecurity, true);
  assert.equal(o.webPreferences?.webviewTag, false);
});

test('the CSP allows only the app itself: no inline or remote scripts, no objects, no framing', () => {
  const directives = Object.fromEntries(
    APP_CSP.split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([k, ...v]) => [k, v]),
  );
  assert.deepEqual(directives['script-src'], ["'self'"]);
  assert.deepEqual(directives['default-src'], ["'self'"]);
  assert.deepEqual(directives['object-src'], ["'none'"]);
  assert.deepEqual(directives['frame-ancestors'], ["'none'"]);
});

test('navigation is denied, except to the dev server under hot reload', () => {
  assert.equal(allowNavigation('https://example.com/', undefined), false);
  assert.equal(allowNavigation('file:///etc/passwd', undefined), false);
  assert.equal(allowNavigation('http://localhost:5173/#/live', 'http://localhost:5173'), true);
  assert.equal(allowNavigation('https://evil.test/', 'http://localhost:5173'), false);
});
