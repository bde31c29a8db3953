/**
 * The small value syntaxes of a compose file, read as Compose reads them: shell words, durations,
 * byte sizes, every `ports` form and every short `volumes` form.
 */
import path from 'node:path';

export type Fail = (field: string, msg: string) => Error;

/** Splits like a POSIX shell does for words: spaces, single and double quotes, backslashes. */
export function shellWords(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < s.length) cur += s[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else cur += c;
  }
  if (has || cur) out.push(cur);
  return out;
}

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, ns: 0.000001 };

/** Compose durations: 1h2m3s, 500ms, 1.5s, or a number of seconds. */
export function parseDuration(v: unknown, fallbackMs: number): number {
  if (v === undefined) return fallbackMs;
  if (typeof v === 'number') return v * 1000;
  const s = String(v);
  const re = /(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let matched = 0;
  while ((m = re.exec(s))) {
    total += Number(m[1]) * UNIT_MS[m[2] === 'µs' ? 'us' : m[2]];
    matched = re.lastIndex;
  }
  if (!matched || matched !== s.length) return NaN;
  return total;
}

/** A duration the way Go's time.Duration prints it (what Compose's hash sees): 5s, 1m30s, 500ms, 1h0m0s. */
export function goDuration(ms: number): string {
  const ns = Math.round(ms * 1e6);
  if (ns === 0) return '0s';
  if (ns < 1e9) {
    const [unit, div] = ns < 1e3 ? ['ns', 1] : ns < 1e6 ? ['µs', 1e3] : ['ms', 1e6];
    return `${trimFraction(ns / div)}${unit}`;
  }
  const h = Math.floor(ns / 3.6e12);
  const m = Math.floor((ns % 3.6e12) / 6e10);
  const s = trimFraction((ns % 6e10) / 1e9);
  return h ? `${h}h${m}m${s}s` : m ? `${m}m${s}s` : `${s}s`;
}

function trimFraction(x: number): string {
  return String(Number(x.toFixed(9)));
}

/** Docker's RAMInBytes: 512m, 1g, 1.5GB, 1024 (bytes); binary multiples. */
export function parseBytes(v: unknown): number {
  if (typeof v === 'number') return v;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b)?\s*$/i.exec(String(v));
  if (!m) return NaN;
  const pow = ['', 'k', 'm', 'g', 't', 'p'].indexOf(m[2].toLowerCase());
  return Math.floor(Number(m[1]) * 1024 ** pow);
}

export interface PortSpec {
  /** '' when Docker picks (all interfaces). */
  hostIp: string;
  /** null when Docker picks a free port. */
  hostPort: number | null;
  containerPort: number;
  protocol: 'tcp' | 'udp' | 'sctp';
}

const portNum = (x: string) => (/^\d{1,5}$/.test(x) && Number(x) >= 1 && Number(x) <= 65535 ? Number(x) : NaN);

function portRange(x: string): number[] | null {
  const m = /^(\d+)(?:-(\d+))?$/.exec(x);
  if (!m) return null;
  const [a, b] = [portNum(m[1]), portNum(m[2] ?? m[1])];
  if (!Number.isFinite(a) || !Number.isFinite(b) || b < a) return null;
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

/**
 * Every `ports` form Compose takes: "80", "8080:80", "127.0.0.1:8080:80", "127.0.0.1::80",
 * "[::1]:8080:80", ranges "8000-8001:8000-8001", "/udp", and the long form {target, published, host_ip, protocol}.
 */
export function parsePorts(v: unknown, fail: Fail): PortSpec[] {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const p = v as Record<string, unknown>;
    const target = portNum(String(p.target ?? ''));
    const published = p.published === undefined || p.published === '' ? null : portNum(String(p.published));
    const protocol = String(p.protocol ?? 'tcp');
    if (!Number.isFinite(target) || (published !== null && !Number.isFinite(published)) || !isProto(protocol))
      throw fail('ports', `${JSON.stringify(v)} needs target (and optionally published, host_ip, protocol tcp|udp)`);
    return [{ hostIp: String(p.host_ip ?? ''), hostPort: published, containerPort: target, protocol }];
  }
  const text = String(v);
  const bad = () =>
    fail('ports', `${JSON.stringify(text)} must be [[IP:]HOST:]CONTAINER[/tcp|udp] with ports from 1 to 65535`);
  const [spec, protocol = 'tcp', ...rest] = text.split('/');
  if (rest.length || !isProto(protocol)) throw bad();
  let hostIp = '';
  let remainder = spec;
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(spec);
  if (v6) [hostIp, remainder] = [v6[1], v6[2]];
  const parts = remainder.split(':');
  if (!v6 && parts.length === 3) hostIp = parts.shift()!;
  if (parts.length > 2 || (v6 && parts.length !== 2)) throw bad();
  const container = portRange(parts[parts.length - 1]);
  const hostText = parts.length === 2 ? parts[0] : '';
  const host = hostText === '' ? null : portRange(hostText);
  if (!container || (hostText !== '' && (!host || (host.length !== container.length && host.length !== 1))))
    throw bad();
  return container.map((c, i) => ({
    hostIp,
    hostPort: host ? (host.length === 1 ? host[0] : host[i]) : null,
    containerPort: c,
    protocol,
  }));
}

function isProto(p: string): p is PortSpec['protocol'] {
  return p === 'tcp' || p === 'udp' || p === 'sctp';
}

export interface MountSpec {
  type: 'volume' | 'bind' | 'tmpfs';
  /** The volume's key in the file ('' for an anonymous volume), or an absolute host path. */
  source: string;
  target: string;
  readOnly: boolean;
  /** Short-syntax binds make a missing host folder, as Compose does; the long form only when asked. */
  createHostPath: boolean;
  noCopy: boolean;
  /** Written as SOURCE:TARGET (Compose's model then carries empty bind/volume options). */
  short: boolean;
}

/** SOURCE:TARGET[:MODE], a lone TARGET (anonymous volume), or the long form. */
export function parseMount(v: unknown, workingDir: string, volumes: string[], fail: Fail): MountSpec {
  const isPath = (s: string) => s.startsWith('.') || s.startsWith('/') || s.startsWith('~');
  const resolve = (s: string) =>
    s.startsWith('~') ? path.join(process.env.HOME ?? '/', s.slice(1)) : path.resolve(workingDir, s);
  const declared = (s: string) => {
    if (!volumes.includes(s))
      throw fail('volumes', `uses volume ${s}, which the file does not declare under the top-level volumes:`);
  };
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const m = v as Record<string, unknown>;
    const type = String(m.type ?? 'volume');
    const target = String(m.target ?? '');
    if (!['volume', 'bind', 'tmpfs'].includes(type) || !target.startsWith('/'))
      throw fail('volumes', `${JSON.stringify(v)} needs type volume|bind|tmpfs and an absolute target`);
    const source = m.source === undefined ? '' : String(m.source);
    if (type === 'volume' && source) declared(source);
    if (type === 'bind' && !source) throw fail('volumes', `a bind mount needs a source: ${JSON.stringify(v)}`);
    return {
      type: type as MountSpec['type'],
      source: type === 'bind' ? resolve(source) : source,
      target,
      readOnly: m.read_only === true,
      createHostPath: (m.bind as { create_host_path?: boolean } | undefined)?.create_host_path === true,
      noCopy: (m.volume as { nocopy?: boolean } | undefined)?.nocopy === true,
      short: false,
    };
  }
  const text = String(v);
  const parts = text.split(':');
  if (parts.length === 1) {
    if (!text.startsWith('/'))
      throw fail('volumes', `${JSON.stringify(text)} must be SOURCE:TARGET[:ro|rw] or /TARGET`);
    return {
      type: 'volume',
      source: '',
      target: text,
      readOnly: false,
      createHostPath: false,
      noCopy: false,
      short: true,
    };
  }
  const [source, target, mode = ''] = parts;
  const modes = mode.split(',').filter(Boolean);
  if (
    parts.length > 3 ||
    !target.startsWith('/') ||
    modes.some((x) => !/^(ro|rw|z|Z|nocopy|r?(shared|slave|private))$/.test(x))
  )
    throw fail('volumes', `${JSON.stringify(text)} must be SOURCE:TARGET[:ro|rw]`);
  const readOnly = modes.includes('ro');
  if (isPath(source))
    return {
      type: 'bind',
      source: resolve(source),
      target,
      readOnly,
      createHostPath: true,
      noCopy: false,
      short: true,
    };
  declared(source);
  return {
    type: 'volume',
    source,
    target,
    readOnly,
    createHostPath: false,
    noCopy: modes.includes('nocopy'),
    short: true,
  };
}
