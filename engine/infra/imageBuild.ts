/**
 * `build:` through the Docker Engine API: the context folder (minus .dockerignore) sent to the
 * daemon, Dockerfile, build args and target as the file gives them, each build step reported as
 * progress, and a failed step reported with the build's last lines.
 */
import fs from 'node:fs';
import type Docker from 'dockerode';
import type { InfraProgress } from '../contract';
import { PulseError } from '../errors';
import type { ServiceSpec } from './composeFile';

interface BuildEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

export async function buildImage(
  docker: Docker,
  project: string,
  spec: ServiceSpec,
  progress: (p: Omit<InfraProgress, 'project' | 'at'>) => void,
): Promise<void> {
  const build = spec.build!;
  progress({ service: spec.name, step: 'build', message: `building ${spec.image} from ${build.context}` });
  const stream = await docker.buildImage(
    { context: build.context, src: fs.readdirSync(build.context) },
    {
      t: spec.image,
      dockerfile: build.dockerfile,
      buildargs: build.args,
      ...(build.target ? { target: build.target } : {}),
      labels: { 'com.docker.compose.project': project, 'com.docker.compose.service': spec.name },
      rm: true,
      forcerm: true,
    },
  );
  const tail: string[] = [];
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null, output: BuildEvent[]) => {
        const failed = err?.message ?? output?.find((e) => e.error)?.error;
        if (!failed) return resolve();
        reject(
          new PulseError(
            'docker_failed',
            `building ${spec.image} for service ${spec.name} failed: ${failed.trim()}; last lines: ${tail.slice(-5).join(' | ') || '(none)'}`,
          ),
        );
      },
      (e: BuildEvent) => {
        const text = (e.stream ?? e.status ?? '').trim();
        if (!text) return;
        for (const line of text.split('\n')) {
          tail.push(line);
          if (tail.length > 20) tail.shift();
          progress({ service: spec.name, step: 'build', message: line });
        }
      },
    );
  });
}
