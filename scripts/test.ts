// `npm test [-- files…]`: typecheck, lint, bring the real test servers up, run the node tests, and
// take down only the servers this run started (a developer who had them up keeps them).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describeFailure, down, up } from './services/control';

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(file);
    return entry.name.endsWith('.test.ts') ? [file] : [];
  });
}

function step(command: string, args: string[]): number {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  return result.status ?? 1;
}

async function main(): Promise<number> {
  const requested = process.argv.slice(2);
  const files = requested.length > 0 ? requested : testFiles('engine').sort();

  for (const script of ['typecheck', 'lint']) {
    const code = step('npm', ['run', '-s', script]);
    if (code !== 0) return code;
  }

  // Ctrl-C reaches the test run (same process group) but not the servers (their own groups): this
  // process stays to take down what it started.
  let interrupted = false;
  process.on('SIGINT', () => (interrupted = true));
  let started: string[] = [];
  try {
    started = (await up()).started;
  } catch (err) {
    started = (err as { started?: string[] }).started ?? [];
    process.stderr.write(describeFailure(err));
    await down(started);
    return 1;
  }

  if (interrupted) {
    await down(started);
    return 130;
  }
  const code = step(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files]);
  await down(started);
  return code;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
