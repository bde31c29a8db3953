// `npm test [-- files…]`: typecheck, lint, build, bring the real test servers up (and Chromium, a
// Docker engine, the infrastructure tests' images and the Compose v2 CLI: installed when missing),
// run vitest and the node tests, and take down only what this run started (a developer who had
// them up keeps them).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describeFailure, down, up } from './services/control';
import { ensureComposeCli } from './composeCli';
import { ensureInfraImages } from './infraImages';
import { ensureChromium, ensureDocker } from './testPrereqs';

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
  // Renderer tests (.test.tsx / renderer/) run under vitest; the rest (engine, electron, the e2e
  // session in web mode) under node:test.
  const isUi = (f: string) => f.startsWith('renderer/') || f.endsWith('.tsx');
  const all = requested.length > 0 ? requested : ['engine', 'electron', 'e2e'].flatMap((d) => testFiles(d)).sort();
  const files = all.filter((f) => !isUi(f));
  const uiFiles = requested.length > 0 ? requested.filter(isUi) : null;

  // build: electron main + preload typechecked and bundled, and the renderer the e2e session serves.
  for (const script of ['typecheck', 'lint', 'build']) {
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

  let stopDocker = async (): Promise<void> => undefined;
  try {
    await ensureChromium();
    stopDocker = await ensureDocker();
    // The infrastructure tests' images and the Compose v2 CLI they compare with: built once per
    // machine (scripts/infraImages.ts, scripts/composeCli.ts), reused while their inputs are unchanged.
    if (files.some((f) => f.startsWith('engine/infra/') || f.includes('infrastructure'))) {
      await ensureComposeCli();
      await ensureInfraImages();
    }
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    await down(started);
    return 1;
  }
  if (interrupted) {
    await stopDocker();
    await down(started);
    return 130;
  }
  const uiCode = uiFiles === null || uiFiles.length > 0 ? step('npx', ['vitest', 'run', ...(uiFiles ?? [])]) : 0;
  const code =
    files.length > 0 ? step(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files]) : 0;
  await stopDocker();
  await down(started);
  return code || uiCode;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
