import fs from 'node:fs';
import path from 'node:path';
import { aptInstall } from './apt';
import { cacheDir } from './config';
import { run } from './proc';

/**
 * kafka-python from PyPI in a venv of its own under the cache dir (like moto's), for the tests that
 * drive the pipeline with a producer written in Python. Pinned so every machine runs the same client.
 */
export const KAFKA_PYTHON_VERSION = '3.0.12';

export function kafkaPythonVenv(): string {
  return path.join(cacheDir(), 'kafka-python-venv');
}

function installed(): boolean {
  const lib = path.join(kafkaPythonVenv(), 'lib');
  if (!fs.existsSync(lib)) return false;
  return fs
    .readdirSync(lib)
    .some((py) => fs.existsSync(path.join(lib, py, 'site-packages', `kafka_python-${KAFKA_PYTHON_VERSION}.dist-info`)));
}

/** The venv's python with kafka-python installed (installed from PyPI when missing). */
export async function ensureKafkaPython(say: (line: string) => void = () => undefined): Promise<string> {
  const python = path.join(kafkaPythonVenv(), 'bin', 'python');
  if (installed()) return python;
  say(`installing kafka-python==${KAFKA_PYTHON_VERSION} into ${kafkaPythonVenv()}`);
  if (!fs.existsSync(python)) {
    try {
      await run('python3', ['-m', 'venv', kafkaPythonVenv()]);
    } catch {
      // Debian's python3 makes venvs only with python3-venv installed.
      fs.rmSync(kafkaPythonVenv(), { recursive: true, force: true });
      await aptInstall('kafka-python', ['python3-venv'], say);
      await run('python3', ['-m', 'venv', kafkaPythonVenv()]);
    }
  }
  await run(python, ['-m', 'pip', 'install', '-q', `kafka-python==${KAFKA_PYTHON_VERSION}`]);
  if (!installed())
    throw new Error(`pip finished but kafka-python ${KAFKA_PYTHON_VERSION} is not in ${kafkaPythonVenv()}`);
  return python;
}
