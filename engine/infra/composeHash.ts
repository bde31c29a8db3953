/**
 * Docker Compose v2's config hash of a service (label com.docker.compose.config-hash): SHA-256 of
 * the service as compose-go's model serializes it to JSON (struct field order, empty fields
 * omitted, Go's string escaping), with build, pull_policy, scale, deploy.replicas, depends_on and
 * profiles left out. The same hash on both sides is what keeps `docker compose up` and this app
 * from recreating each other's containers; engine/infra/composeCli.test.ts checks it against the
 * real CLI on several files.
 */
import crypto from 'node:crypto';
import type { ServiceSpec } from './composeService';
import { goDuration } from './composeValues';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Go's encoding/json escaping: like JSON.stringify, plus <, >, & and the two line separators. */
export function goJson(v: Json): string {
  return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A field without omitempty: written as null when absent. */
const KEEP_NULL = Symbol('null');
/** Structs Go writes even when empty (a pointer to a zero struct). */
const present = new WeakSet<object>();
const kept = <T extends object>(o: T): T => (present.add(o), o);

/** An object of the present fields only, in the order given (Go's omitempty). */
function fields(entries: [string, Json | undefined | typeof KEEP_NULL][]): { [k: string]: Json } {
  const out: { [k: string]: Json } = {};
  for (const [k, v] of entries) {
    if (v === KEEP_NULL) {
      out[k] = null;
      continue;
    }
    if (v === undefined || v === '' || v === false) continue;
    if (Array.isArray(v) && !v.length) continue;
    if (v && typeof v === 'object' && !Array.isArray(v) && !Object.keys(v).length && !present.has(v)) continue;
    out[k] = v;
  }
  return out;
}

/** A Go map: keys sorted, as encoding/json writes them. */
function sorted<T extends Json>(m: Record<string, T>): { [k: string]: T } {
  return Object.fromEntries(
    Object.keys(m)
      .sort()
      .map((k) => [k, m[k]]),
  );
}

export function composeModel(s: ServiceSpec): { [k: string]: Json } {
  const h = s.healthcheck;
  const limits = fields([
    ['cpus', s.limits.nanoCpus],
    ['memory', s.limits.memoryBytes === undefined ? undefined : String(s.limits.memoryBytes)],
    ['pids', s.limits.pids],
  ]);
  return fields([
    ['command', s.command ?? KEEP_NULL],
    ['container_name', s.containerName],
    ['deploy', Object.keys(limits).length ? { resources: { limits }, placement: kept({}) } : undefined],
    ['entrypoint', s.entrypoint ?? KEEP_NULL],
    ['environment', sorted(s.environment)],
    ['expose', s.expose],
    ['extra_hosts', s.extraHosts.map((e) => e.replace(':', '=')).sort()],
    ['hostname', s.hostname],
    [
      'healthcheck',
      h?.disable
        ? { disable: true }
        : h
          ? fields([
              ['test', h.test],
              ['timeout', h.timeoutMs === undefined ? undefined : goDuration(h.timeoutMs)],
              ['interval', h.intervalMs === undefined ? undefined : goDuration(h.intervalMs)],
              ['retries', h.retries],
              ['start_period', h.startPeriodMs === undefined ? undefined : goDuration(h.startPeriodMs)],
              ['start_interval', h.startIntervalMs === undefined ? undefined : goDuration(h.startIntervalMs)],
            ])
          : undefined,
    ],
    ['image', s.imageAsWritten],
    ['init', s.init],
    ['labels', sorted(s.labels)],
    [
      'networks',
      sorted(
        Object.fromEntries(
          s.networks.map((n): [string, Json] => [n.key, n.aliases.length ? { aliases: n.aliases } : null]),
        ),
      ),
    ],
    [
      'ports',
      s.ports.map((p) =>
        fields([
          ['mode', 'ingress'],
          ['host_ip', p.hostIp],
          ['target', p.containerPort],
          ['published', p.hostPort === null ? undefined : String(p.hostPort)],
          ['protocol', p.protocol],
        ]),
      ),
    ],
    ['restart', s.restartAsWritten],
    ['stdin_open', s.stdinOpen],
    ['stop_grace_period', s.stopGracePeriodMs === undefined ? undefined : goDuration(s.stopGracePeriodMs)],
    ['stop_signal', s.stopSignal],
    ['tty', s.tty],
    ['user', s.user],
    [
      'volumes',
      s.mounts.map((m) =>
        fields([
          ['type', m.type],
          ['source', m.source],
          ['target', m.target],
          ['read_only', m.readOnly],
          [
            'bind',
            m.type === 'bind' && (m.short || m.createHostPath)
              ? kept(fields([['create_host_path', m.createHostPath]]))
              : undefined,
          ],
          ['volume', m.type === 'volume' && (m.short || m.noCopy) ? kept(fields([['nocopy', m.noCopy]])) : undefined],
        ]),
      ),
    ],
    ['working_dir', s.workingDir],
  ]);
}

export function configHash(s: ServiceSpec): string {
  return crypto
    .createHash('sha256')
    .update(goJson(composeModel(s)))
    .digest('hex');
}
