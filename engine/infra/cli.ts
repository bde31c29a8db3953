/**
 * npm run infra -- up|down|start|stop|restart|status|logs [SERVICE] [-f COMPOSE_FILE] [-p PROJECT] [--json]
 * The same Stack the app uses. Any failure is one line on stderr and a non-zero exit:
 * 1 for Docker or the stack, 2 for a wrong command line or compose file.
 */
import { parseArgs } from 'node:util';
import type { InfraProgress, InfraStatus } from '../contract';
import { PulseError, toErrorInfo } from '../errors';
import { followLogs, readLogs } from './serviceLogs';
import { Stack } from './stack';

const USAGE = `usage: npm run infra -- COMMAND [SERVICE] [-f COMPOSE_FILE] [-p PROJECT] [--json]
  up [SERVICE]        pull, create and start (with what it depends on), wait until healthy
  start|stop|restart [SERVICE]   one service alone, or all
  down [--volumes]    remove containers and networks (and volumes)
  status [--json]     state, health, ports and uptime of each service
  logs SERVICE [--follow] [--tail N] [--since SECONDS]`;

function describe(s: InfraStatus): string {
  const rows = s.services.map((x) => [
    x.service,
    x.state + (x.exitCode !== null ? ` (${x.exitCode})` : ''),
    x.health === 'none' ? '-' : x.health,
    x.ports.map((p) => `${p.hostIp}:${p.hostPort}->${p.containerPort}`).join(', ') || '-',
    x.uptimeMs === null ? '-' : `${Math.round(x.uptimeMs / 1000)} s`,
  ]);
  const all = [['SERVICE', 'STATE', 'HEALTH', 'PORTS', 'UP'], ...rows];
  const widths = all[0].map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const failed = s.services
    .filter((x) => x.lastLines.length)
    .map((x) => `\n${x.service} exited with code ${x.exitCode ?? '?'}; its last lines:\n  ${x.lastLines.join('\n  ')}`);
  return `project ${s.project} (${s.composeFile})\n${all
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}${failed.join('')}`;
}

function printProgress(json: boolean): (p: InfraProgress) => void {
  const last = new Map<string, string>();
  return (p) => {
    if (json) return;
    // Per-layer byte counts come many times a second: print a layer when its status changes.
    if (p.layer) {
      const status = p.message.replace(/^.*? /, '');
      if (last.get(p.layer) === status) return;
      last.set(p.layer, status);
    }
    process.stderr.write(`${p.service ? `${p.service}: ` : ''}${p.message}\n`);
  };
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      file: { type: 'string', short: 'f' },
      'project-name': { type: 'string', short: 'p' },
      json: { type: 'boolean', default: false },
      volumes: { type: 'boolean', short: 'v', default: false },
      follow: { type: 'boolean', default: false },
      tail: { type: 'string' },
      since: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, service, extra] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return;
  }
  if (extra !== undefined)
    throw new PulseError('config_invalid', `one service at a time, got ${positionals.slice(1).join(' ')}`);
  const stack = new Stack({
    composeFile: values.file ?? process.env.RETAIL_PULSE_COMPOSE_FILE ?? 'docker-compose.yml',
    projectName: values['project-name'],
    onProgress: printProgress(values.json),
  });
  const show = (s: InfraStatus) => console.log(values.json ? JSON.stringify(s, null, 2) : describe(s));
  switch (command) {
    case 'up':
      return show(await stack.up(service));
    case 'start':
      return show(await stack.start(service));
    case 'stop':
      return show(await stack.stop(service));
    case 'restart':
      return show(await stack.restart(service));
    case 'down':
      return show(await stack.down({ volumes: values.volumes }));
    case 'status':
      return show(await stack.status());
    case 'logs': {
      if (!service) throw new PulseError('config_invalid', 'logs needs a SERVICE: npm run infra -- logs SERVICE');
      const tail = values.tail === undefined ? 100 : Number(values.tail);
      const since = values.since === undefined ? undefined : Date.now() - Number(values.since) * 1000;
      if (!Number.isInteger(tail) || tail < 0 || (since !== undefined && !Number.isFinite(since)))
        throw new PulseError('config_invalid', '--tail takes a number of lines and --since a number of seconds');
      const print = (l: { service: string; stream: string; time: string; line: string }) =>
        console.log(values.json ? JSON.stringify(l) : `${l.time} ${l.line}`);
      (await readLogs(stack, service, { tail, since })).forEach(print);
      if (!values.follow) return;
      const stop = await followLogs(stack, service, { since: Date.now() }, (lines) => lines.forEach(print));
      await new Promise<void>((resolve) => process.once('SIGINT', () => (stop(), resolve())));
      return;
    }
    default:
      throw new PulseError('config_invalid', `unknown command ${command}\n${USAGE}`);
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    const info =
      err instanceof PulseError
        ? err.toInfo()
        : (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
          ? { code: 'config_invalid', message: (err as Error).message }
          : toErrorInfo(err);
    process.stderr.write(`retail-pulse infra: ${info.message}\n`);
    process.exit(info.code === 'config_invalid' ? 2 : 1);
  },
);
