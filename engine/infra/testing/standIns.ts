/**
 * Local stand-ins for the images real compose files name (confluentinc/cp-kafka:7.5.0, postgres:15,
 * …), since no registry is reachable: one small image that says what it was started with and then
 * runs like a server until stopped, tagged under each name that is not already on the machine.
 * Every tag made here is removed again when the test file is done (and a stale one from a run that
 * died is removed before the next), so a real `docker compose pull` is never shadowed for long.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { ensureTestImage } from './testImage';
import { docker } from './testStack';

export const STAND_IN = 'retail-pulse-test/stand-in:1';
const LABEL = 'io.retail-pulse.stand-in';
const tagged = new Set<string>();
after(() => untag([...tagged]));

const SCRIPT = `trap 'echo "stand-in stopping"; exit 0' TERM INT
echo "stand-in started: $*"
i=0
while :; do i=$((i+1)); echo "tick $i"; sleep 1 & wait $!; done
`;

function exists(image: string): boolean {
  try {
    docker('image', 'inspect', image);
    return true;
  } catch {
    return false;
  }
}

function untag(names: string[]): void {
  for (const n of names) if (n !== STAND_IN) docker('rmi', '--no-prune', n);
}

export function ensureStandIn(): string {
  ensureTestImage();
  // Tags a test run that died left behind.
  untag(
    docker('images', '--filter', `label=${LABEL}=true`, '--format', '{{.Repository}}:{{.Tag}}')
      .split('\n')
      .filter((n) => n && n !== STAND_IN && !tagged.has(n)),
  );
  if (exists(STAND_IN)) return STAND_IN;
  const ctx = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-stand-in-'));
  try {
    fs.writeFileSync(path.join(ctx, 'stand-in.sh'), SCRIPT);
    fs.writeFileSync(
      path.join(ctx, 'Dockerfile'),
      `FROM retail-pulse-test/busybox:1\nLABEL ${LABEL}=true\nCOPY stand-in.sh /stand-in.sh\nENTRYPOINT ["/bin/sh", "/stand-in.sh"]\n`,
    );
    docker('build', '-q', '-t', STAND_IN, ctx);
  } finally {
    fs.rmSync(ctx, { recursive: true, force: true });
  }
  return STAND_IN;
}

/** Tags the stand-in under each image name not already present; returns the names it tagged. */
export function standInFor(images: string[]): string[] {
  ensureStandIn();
  const made = images.filter((i) => !exists(i));
  for (const image of made) {
    docker('tag', STAND_IN, image);
    tagged.add(image);
  }
  return made;
}
