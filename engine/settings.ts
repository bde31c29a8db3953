import fs from 'node:fs';
import path from 'node:path';
import type { SettingKey, SettingsView } from './contract';
import {
  configFromEnv,
  describeConfig,
  loadConfig,
  resolveConfig,
  serviceModes,
  type ConfigInput,
  type EngineConfig,
} from './config';
import { PulseError, toErrorInfo, type ErrorInfo } from './errors';
import { writeFileAtomic } from './util/fsx';
import { MASK, redactUrl } from './util/redact';

/**
 * The Settings page's store: connections and modes in `<dataDir>/settings.json`, which is an
 * ordinary config file (loadConfig reads it at the next start). Every save goes through
 * resolveConfig's validation; secrets never leave this module unmasked.
 */

export const SETTING_KEYS: readonly SettingKey[] = [
  'kafka',
  'topic',
  'partitions',
  'group',
  's3',
  's3Bucket',
  's3Region',
  's3AccessKeyId',
  's3SecretAccessKey',
  'postgres',
  'postgresReaderPassword',
  'redis',
  'redisPrefix',
];
const SECRET_KEYS: readonly SettingKey[] = ['s3SecretAccessKey', 'postgresReaderPassword'];
const URL_KEYS: readonly SettingKey[] = ['s3', 'postgres', 'redis'];

export function settingsFile(dataDir: string): string {
  return path.join(dataDir, 'settings.json');
}

export function readSettings(dataDir: string): Partial<Record<SettingKey, string | number>> {
  const file = settingsFile(dataDir);
  if (!fs.existsSync(file)) return {};
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(parsed).filter(([k]) => (SETTING_KEYS as string[]).includes(k))) as Partial<
    Record<SettingKey, string | number>
  >;
}

export function maskSettings(
  values: Partial<Record<SettingKey, string | number>>,
): Partial<Record<SettingKey, string | number>> {
  const out: Partial<Record<SettingKey, string | number>> = {};
  for (const [k, v] of Object.entries(values) as [SettingKey, string | number][]) {
    out[k] = SECRET_KEYS.includes(k) ? MASK : URL_KEYS.includes(k) && typeof v === 'string' ? redactUrl(v) : v;
  }
  return out;
}

/** A masked value sent back unchanged keeps the saved secret. */
function unmask(key: SettingKey, next: string | number, saved: string | number | undefined): string | number {
  if (typeof next !== 'string' || saved === undefined || typeof saved !== 'string') return next;
  if (SECRET_KEYS.includes(key) && next === MASK) return saved;
  if (URL_KEYS.includes(key) && next.includes(MASK) && redactUrl(saved) === next) return saved;
  return next;
}

export function settingsView(config: EngineConfig, startupProblems: ErrorInfo[] = []): SettingsView {
  const saved = readSettings(config.dataDir);
  let restartRequired = false;
  try {
    const savedConfig = resolveConfig({ ...saved, dataDir: config.dataDir });
    // The catalog is not a setting here: it changes without a restart (catalog.apply).
    restartRequired = JSON.stringify(savedConfig) !== JSON.stringify({ ...config, catalog: undefined });
  } catch {
    restartRequired = true;
  }
  return {
    values: maskSettings(saved),
    // A service on the compose stack is 'docker' here, as on the Infrastructure page.
    modes: serviceModes(config),
    inForce: describeConfig(config),
    restartRequired,
    file: settingsFile(config.dataDir),
    ...(startupProblems.length ? { startupProblems } : {}),
  };
}

/** A form's text for partitions becomes a number only when it is one; "four" stays text and is refused by name. */
function settingValue(key: SettingKey, v: string | number): string | number {
  return key === 'partitions' && typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v;
}

/** The saved settings with `values` over them (null or '' removes one; a masked secret keeps the saved one). */
function overlay(
  saved: Partial<Record<SettingKey, string | number>>,
  values: Partial<Record<string, unknown>>,
): Partial<Record<SettingKey, string | number>> {
  const next: Partial<Record<SettingKey, string | number>> = { ...saved };
  for (const [k, v] of Object.entries(values)) {
    if (!(SETTING_KEYS as string[]).includes(k))
      throw new PulseError('config_invalid', `unknown setting "${k}"`, { field: k });
    const key = k as SettingKey;
    if (v === null || v === '' || v === undefined) delete next[key];
    else if (typeof v === 'string' || typeof v === 'number') next[key] = unmask(key, settingValue(key, v), saved[key]);
    else throw new PulseError('config_invalid', `setting "${k}" must be text or a number`, { field: k });
  }
  return next;
}

/** The config `values` would give over the saved settings, validated, nothing saved (settings.test). */
export function configForTest(dataDir: string, values: Partial<Record<string, unknown>>): EngineConfig {
  return resolveConfig({ ...(overlay(readSettings(dataDir), values) as ConfigInput), dataDir });
}

/** Validates and saves; null or '' removes a setting (back to the embedded default). */
export function saveSettings(config: EngineConfig, values: Partial<Record<string, unknown>>): void {
  const next = overlay(readSettings(config.dataDir), values);
  resolveConfig({ ...(next as ConfigInput), dataDir: config.dataDir });
  fs.mkdirSync(config.dataDir, { recursive: true });
  writeFileAtomic(settingsFile(config.dataDir), `${JSON.stringify(next, null, 2)}\n`);
}

/**
 * The config an app (web mode, Electron) starts with: the environment over the data dir's saved
 * settings. A saved setting that cannot be used (a bad value, an unreadable file) must not keep the
 * app from starting: it is left out, the default stands in, and the problem is returned to show
 * on the Settings page, where the user fixes it. RETAIL_PULSE_CONFIG, a file the user chose, is
 * still refused as a whole.
 */
export function loadStartupConfig(
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
): { config: EngineConfig; problems: ErrorInfo[] } {
  if (env.RETAIL_PULSE_CONFIG) return { config: loadConfig({ dataDir }, env), problems: [] };
  const dir = path.resolve(dataDir);
  const problems: ErrorInfo[] = [];
  let saved: Partial<Record<string, unknown>> = {};
  try {
    saved = readSettings(dir);
  } catch (err) {
    problems.push({
      code: 'config_invalid',
      message: `${settingsFile(dir)} cannot be read (${(err as Error).message}); the defaults are used until it is saved again`,
      retriable: false,
    });
  }
  const fromEnv = Object.fromEntries(Object.entries(configFromEnv(env)).filter(([, v]) => v !== undefined));
  for (let attempt = 0; attempt <= SETTING_KEYS.length; attempt++) {
    try {
      return { config: resolveConfig({ ...saved, ...fromEnv, dataDir: dir } as ConfigInput), problems };
    } catch (err) {
      const field = err instanceof PulseError ? err.field : undefined;
      if (!field || !(field in saved) || field in fromEnv) throw err;
      problems.push({ ...toErrorInfo(err), message: `saved setting not used: ${(err as Error).message}` });
      delete saved[field];
    }
  }
  throw new PulseError('config_invalid', `cannot make a config of ${settingsFile(dir)}`);
}
