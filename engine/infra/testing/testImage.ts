/**
 * The tests' image, built here because no registry is reachable: `docker import` of a root with a
 * static busybox and a link for each of its applets (sh, sleep, httpd, wget, nc, …).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const TEST_IMAGE = 'retail-pulse-test/busybox:1';

const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'];

export function ensureTestImage(): string {
  if (spawnSync('docker', ['image', 'inspect', TEST_IMAGE], { stdio: 'ignore' }).status === 0) return TEST_IMAGE;
  // Debian's busybox-static puts a static one in /bin: it runs in an image with no libc.
  const busybox = BUSYBOX.find((p) => fs.existsSync(p));
  if (!busybox)
    throw new Error('the Docker tests need a static busybox to build their image: apt-get install -y busybox-static');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-busybox-'));
  try {
    fs.mkdirSync(path.join(root, 'bin'));
    fs.mkdirSync(path.join(root, 'tmp'));
    fs.copyFileSync(busybox, path.join(root, 'bin', 'busybox'));
    fs.chmodSync(path.join(root, 'bin', 'busybox'), 0o755);
    for (const applet of execFileSync(busybox, ['--list']).toString().split('\n').filter(Boolean)) {
      if (applet !== 'busybox') fs.symlinkSync('busybox', path.join(root, 'bin', applet));
    }
    const tar = spawnSync('sh', ['-c', `tar -C "${root}" -c . | docker import - ${TEST_IMAGE}`], { encoding: 'utf8' });
    if (tar.status !== 0) throw new Error(`docker import of the test image failed: ${tar.stderr}`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  return TEST_IMAGE;
}
