/**
 * npm run topic -- read|search|tail|produce|lag … (plus the service flags of `pipeline`): the Topics
 * page's calls from a terminal. Reading needs no lock (the app may run on the same data dir);
 * writing by hand on the embedded log takes the data dir, as an import does.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { configFromFlags, SERVICE_FLAGS } from '../cliConfig';
import { paths } from '../config';
import type { Events, TopicLag, TopicMessage, TopicSearchResult } from '../contract';
import { PulseError } from '../errors';
import { TopicCommands } from '../topics/topicCommands';
import { lockDataDir } from '../util/dataDirLock';

export const TOPIC_USAGE = `usage: npm run topic -- read [--partition P] [--offset O | --time T] [--limit N] [--pretty] [--json]
       npm run topic -- search TRANSACTION_ID [--json]
       npm run topic -- tail [--partition P] [--json]           (until Ctrl-C)
       npm run topic -- produce [--key K] (VALUE | --file F) [--json]
       npm run topic -- lag [--group G] [--json]
       plus the service flags of pipeline (--data-dir, --kafka, --topic …)
  read     the newest records (every partition, by time), or one partition from an offset, or from a time
           (ISO-8601, UTC when it has no zone); --pretty prints each value as indented JSON
  search   every record of a transaction id: silver, quarantine (with its reason), or the log past the lake
  tail     new records as they arrive, read without a consumer group
  produce  one message through the topic's producer (key: the value's store_id unless --key); the stream
           validates it like any till's: search its transaction id to see where it went
  lag      per partition: log end, the group's commit, the lake's offset (the one the stream trusts), and members`;

const n = (x: number) => x.toLocaleString('en-US');

function whole(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 0)
    throw new PulseError('config_invalid', `--${name} ${raw}: a whole number`, { field: name });
  return v;
}

function time(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(raw) ? raw : `${raw}Z`;
  const ms = Date.parse(zoned);
  if (Number.isNaN(ms))
    throw new PulseError('config_invalid', `--time ${raw}: an ISO-8601 time, e.g. 2026-11-29T07:00Z`, {
      field: 'time',
    });
  return ms;
}

export async function topicCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...SERVICE_FLAGS,
      partition: { type: 'string' },
      offset: { type: 'string' },
      time: { type: 'string' },
      limit: { type: 'string' },
      key: { type: 'string' },
      file: { type: 'string' },
      pretty: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return void console.log(TOPIC_USAGE);
  const [action, ...rest] = positionals;
  if (!['read', 'search', 'tail', 'produce', 'lag'].includes(action ?? ''))
    throw new PulseError('config_invalid', `say read, search, tail, produce or lag\n${TOPIC_USAGE}`, {
      field: 'action',
    });
  const config = configFromFlags(values);
  const tailListeners = new Set<(e: Events['topics.tail']) => void>();
  let release = () => undefined as void;
  if (action === 'produce' && config.services.broker.mode === 'embedded') release = lockDataDir(paths.lock(config));
  const topics = new TopicCommands({
    config: () => config,
    streamGroup: () => config.group ?? null,
    streamRunning: () => false,
    writerBusy: () => false,
    active: () => false,
    emit: (name, payload) => {
      if (name === 'topics.tail') for (const l of tailListeners) l(payload as Events['topics.tail']);
    },
    listening: (name) => name === 'topics.tail' && tailListeners.size > 0,
  });
  const h = topics.handlers();
  const out = (v: unknown, text: () => string) => console.log(values.json ? JSON.stringify(v) : text());
  try {
    if (action === 'read') {
      const page = await h['topics.read']({
        partition: whole('partition', values.partition),
        offset: whole('offset', values.offset),
        time: time(values.time),
        limit: whole('limit', values.limit),
      });
      out(page, () =>
        page.partitions.length
          ? [
              `${page.topic} (${page.broker}): ${page.partitions.map((p) => `p${p.partition} ${n(p.earliest)}–${n(p.end)}`).join(', ')}; ${page.messages.length} records in ${page.ms} ms`,
              ...page.messages.map((m) => messageLine(m, values.pretty)),
            ].join('\n')
          : `${page.topic} does not exist yet: the producer, an import or a hand-written message creates it`,
      );
    } else if (action === 'search') {
      if (rest.length !== 1)
        throw new PulseError('config_invalid', 'give one transaction id', { field: 'transactionId' });
      const r = await h['topics.search']({ transactionId: rest[0] });
      out(r, () => searchText(r));
    } else if (action === 'produce') {
      const value = values.file !== undefined ? fs.readFileSync(values.file, 'utf8') : rest.join(' ');
      if (values.file === undefined && rest.length === 0)
        throw new PulseError('config_invalid', 'give the message text, or --file F', { field: 'value' });
      const sent = await h['topics.produce']({ key: values.key, value });
      out(
        sent,
        () =>
          `sent ${n(sent.bytes)} bytes, key "${sent.key}", to partition ${sent.partition} offset ${sent.offset ?? '?'}`,
      );
    } else if (action === 'lag') {
      const lag = await h['topics.lag']({ group: values.group });
      out(lag, () => lagText(lag));
    } else {
      const stopped = new Promise<void>((resolve, reject) => {
        process.once('SIGINT', () => resolve());
        tailListeners.add((e) => {
          if (e.error) reject(new PulseError(e.error.code, `the tail stopped: ${e.error.message}`));
          for (const m of e.messages) console.log(values.json ? JSON.stringify(m) : messageLine(m, false));
          if (e.skipped) console.log(`… ${n(e.skipped)} more arrived in that half second (the newest 100 are shown)`);
        });
      });
      const state = await h['topics.tail']({ follow: true, partition: whole('partition', values.partition) });
      process.stderr.write(
        `following ${config.topic} from ${state.from.map((o, p) => `p${p}@${n(o)}`).join(' ')} (Ctrl-C stops)\n`,
      );
      // The Host's timers do not hold a process open: this one does, until Ctrl-C.
      const hold = setInterval(() => undefined, 60_000);
      await stopped.finally(() => clearInterval(hold));
    }
  } finally {
    await topics.close();
    release();
  }
}

function messageLine(m: TopicMessage, pretty: boolean): string {
  const head = `${m.partition}@${m.offset}  ${new Date(m.timestamp).toISOString()}  key ${m.key === null ? '(none)' : JSON.stringify(m.key)}  ${n(m.bytes)} B`;
  if (!pretty) return `${head}  ${m.value}`;
  try {
    return `${head}\n${JSON.stringify(JSON.parse(m.value), null, 2)}`;
  } catch {
    return `${head}  (not JSON)\n${m.value}`;
  }
}

function searchText(r: TopicSearchResult): string {
  const where = (h: TopicSearchResult['hits'][number]) =>
    h.place === 'silver'
      ? h.replayed
        ? `silver (replayed from quarantine, was ${h.reason})`
        : 'silver'
      : h.place === 'quarantine'
        ? `quarantine: ${h.reason}`
        : 'the log only (the stream has not written it yet)';
  return [
    `${r.transactionId}: ${r.hits.length} record(s) in ${r.ms} ms (lake ${r.lake.ms} ms over ${n(r.lake.files)} files; log past the lake ${n(r.log.records)} records in ${r.log.ms} ms)`,
    ...r.hits.map(
      (h) =>
        `  ${h.partition}@${h.offset}  ${where(h)}${h.message ? `  ${new Date(h.message.timestamp).toISOString()}  ${h.from === 'bronze' ? '(from bronze) ' : ''}${h.message.value}` : '  (no longer in the log or bronze)'}`,
    ),
  ].join('\n');
}

function lagText(l: TopicLag): string {
  const rows = l.partitions.map(
    (p) =>
      `  ${String(p.partition).padStart(3)}  ${n(p.end).padStart(12)}  ${n(p.committed).padStart(12)}  ${n(p.lag).padStart(10)}  ${(p.lake === null ? '–' : n(p.lake)).padStart(12)}  ${(p.lakeLag === null ? '–' : n(p.lakeLag)).padStart(10)}  ${p.member ?? '-'}`,
  );
  return [
    `${l.topic}, group ${l.group} (${l.groupIs === 'stream' ? "the stream's" : 'asked for'}): ${l.state}; the stream trusts the lake's offsets, the group's commits are kept for monitoring${l.error ? `\n  last sample failed: ${l.error.message}` : ''}`,
    '    p      log end     committed         lag          lake   lake lag  member',
    ...rows,
    ...l.members.map(
      (m) =>
        `  member ${m.memberId} (${m.clientId} on ${m.host}): partitions ${m.partitions.join(', ') || '-'}, lag ${n(m.lag)}`,
    ),
  ].join('\n');
}
