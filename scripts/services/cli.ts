// `npm run services:test -- up|down|status|stop|start …`: real servers for the tests on 127.0.0.1.
// See README.md, "Real services for tests".
import { addresses, describeFailure, down, start, status, stop, up, type ServiceStatus } from './control';

const USAGE = `usage: npm run services:test -- <command>
  up [names…]       install what is missing, start (or reuse) the services, wait until they answer
  down [names…]     stop them and remove their state
  status [--json]   a table, or one JSON object of the running services' addresses
  stop NAME         stop one service, keeping its data (fault tests)
  start NAME        start it again on the same port with its data
names: kafka kafka39 s3 postgres redis`;

function table(rows: ServiceStatus[]): string {
  const lines = rows.map((r) => [
    r.name,
    r.running ? 'running' : 'stopped',
    r.running ? r.address : '-',
    r.version ?? '-',
    r.pid === undefined ? '-' : String(r.pid),
    r.rssMiB === undefined ? '-' : `${r.rssMiB} MiB`,
  ]);
  const all = [['SERVICE', 'STATE', 'ADDRESS', 'VERSION', 'PID', 'RSS'], ...lines];
  const widths = all[0].map((_, i) => Math.max(...all.map((l) => l[i].length)));
  return all
    .map((l) =>
      l
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const [command, ...rest] = argv.filter((a) => a !== '--json');
  const names = rest.length > 0 ? rest : undefined;
  switch (command) {
    case 'up': {
      await up(names);
      process.stdout.write(`${table(status().filter((s) => s.running))}\n`);
      return 0;
    }
    case 'down':
      await down(names);
      return 0;
    case 'status':
      process.stdout.write(json ? `${JSON.stringify(addresses())}\n` : `${table(status())}\n`);
      return 0;
    case 'stop':
    case 'start': {
      if (names?.length !== 1) throw new Error(`${command} takes one service name`);
      if (command === 'stop') await stop(names[0]);
      else process.stdout.write(`${await start(names[0])}\n`);
      return 0;
    }
    default:
      process.stderr.write(`${USAGE}\n`);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(describeFailure(err));
    process.exit(1);
  },
);
