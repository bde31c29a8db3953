import { run, serialized } from './proc';

const oneAtATime = serialized();
let updated = false;

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/**
 * Installs Debian packages: `apt-get update` once, then `apt-get install`. Only root can; anyone
 * else is told the command to run, naming the service that needs it.
 */
export function aptInstall(service: string, packages: string[], say: (line: string) => void): Promise<void> {
  return oneAtATime(async () => {
    if (!isRoot()) {
      throw new Error(
        `needs Debian package(s) ${packages.join(' ')}: run \`sudo apt-get update && sudo apt-get install -y ${packages.join(' ')}\` (the script installs them itself only as root)`,
      );
    }
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    if (!updated) {
      say(`${service}: apt-get update`);
      await run('apt-get', ['update', '-q'], { env });
      updated = true;
    }
    say(`${service}: apt-get install ${packages.join(' ')}`);
    await run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...packages], { env });
  });
}
