/** A `.env` file and `${VAR}` interpolation, as Compose reads them. */
import fs from 'node:fs';
import { PulseError } from '../errors';

/** KEY=VALUE lines; # comments; optional quotes; `export ` prefixes. */
export function readDotEnv(file: string): Record<string, string> {
  if (!fs.existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m) continue;
    let v = m[2];
    if (/^(['"]).*\1$/.test(v)) v = v.slice(1, -1);
    else v = v.replace(/\s+#.*$/, '');
    out[m[1]] = v;
  }
  return out;
}

/**
 * `$$` → `$`, `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}`, `${VAR+alt}`,
 * `${VAR:?message}`, `${VAR?message}`; defaults may hold further variables.
 */
export function interpolateString(s: string, env: Record<string, string | undefined>, where = 'compose file'): string {
  return s.replace(
    /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])((?:[^}])*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (_m, dollar, name, op, arg, bare) => {
      if (dollar) return '$';
      if (bare) return env[bare] ?? '';
      const v = env[name];
      const unset = v === undefined || (op?.startsWith(':') && v === '');
      if (!op) return v ?? '';
      if (op.endsWith('-')) return unset ? interpolateString(arg, env, where) : v!;
      if (op.endsWith('+')) return unset ? '' : interpolateString(arg, env, where);
      if (unset)
        throw new PulseError('config_invalid', `${where}: ${name} must be set: ${arg || 'required variable'}`, {
          field: name,
        });
      return v!;
    },
  );
}

/** Every string in a parsed YAML document, keys left as they are. */
export function interpolate(v: unknown, env: Record<string, string>, where: string): unknown {
  if (typeof v === 'string') return interpolateString(v, env, where);
  if (Array.isArray(v)) return v.map((x) => interpolate(x, env, where));
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, interpolate(x, env, where)]));
  return v;
}
