import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { aptInstall } from './apt';
import { cacheDir, configuredPorts, readMeta, serviceDir, updateMeta } from './config';
import { isOurs, onPath, run, serialized, spawnServer, terminate, waitUntil } from './proc';
import type { Service, ServiceName } from './types';

/**
 * Apache Kafka from Maven Central's jars, one KRaft node that is both broker and controller.
 * Versions are tried in order, newest first; the first one whose jars resolve is used, and a broker
 * whose data exists keeps the version it was formatted with.
 */
export const KAFKA_VERSIONS: Record<'kafka' | 'kafka39', string[]> = {
  kafka: ['4.4.0', '4.1.1'],
  kafka39: ['3.9.1', '3.9.2'],
};

// Kafka's pom names slf4j-api but no binding: without one the broker logs nothing at all.
// 3.x logs through reload4j (log4j 1 properties), 4.x through log4j2.
const SLF4J_BINDING = {
  3: { groupId: 'org.slf4j', artifactId: 'slf4j-reload4j', version: '1.7.36' },
  4: { groupId: 'org.apache.logging.log4j', artifactId: 'log4j-slf4j-impl', version: '2.24.3' },
};
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';

const mavenOneAtATime = serialized();

function major(version: string): 3 | 4 {
  return version.startsWith('3.') ? 3 : 4;
}

export function kafkaLibs(version: string): string {
  return path.join(cacheDir(), 'kafka', version, 'libs');
}

function pom(version: string): string {
  const binding = SLF4J_BINDING[major(version)];
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>retail-pulse</groupId>
  <artifactId>kafka-${version}-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${version}</version></dependency>
    <dependency>
      <groupId>${binding.groupId}</groupId><artifactId>${binding.artifactId}</artifactId><version>${binding.version}</version>
      <exclusions><exclusion><groupId>org.apache.logging.log4j</groupId><artifactId>*</artifactId></exclusion></exclusions>
    </dependency>
  </dependencies>
</project>
`;
}

/**
 * Resolves kafka_2.13 and its runtime dependencies into the cache. Maven's local repository lives in
 * the cache too, so removing the cache really refetches and nothing is left in ~/.m2.
 */
async function fetchJars(version: string): Promise<void> {
  const dir = path.join(cacheDir(), 'kafka', version);
  const staging = path.join(dir, 'libs.partial');
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'pom.xml'), pom(version));
  await mavenOneAtATime(() =>
    run('mvn', [
      '-q',
      '-B',
      `-Dmaven.repo.local=${path.join(cacheDir(), 'kafka', 'm2')}`,
      '-f',
      path.join(dir, 'pom.xml'),
      `${DEPENDENCY_PLUGIN}:copy-dependencies`,
      `-DoutputDirectory=${staging}`,
      '-DincludeScope=runtime',
    ]),
  );
  if (!fs.existsSync(path.join(staging, `kafka_2.13-${version}.jar`)))
    throw new Error(`Maven finished but kafka_2.13-${version}.jar is missing`);
  fs.rmSync(kafkaLibs(version), { recursive: true, force: true });
  fs.renameSync(staging, kafkaLibs(version));
}

function hasJars(version: string): boolean {
  return fs.existsSync(path.join(kafkaLibs(version), `kafka_2.13-${version}.jar`));
}

/** Kafka's cluster id: 16 random bytes, URL-safe base64 without padding (it may start with "-": pass it as --cluster-id=…). */
function clusterId(): string {
  return crypto.randomBytes(16).toString('base64url');
}

function serverProperties(dir: string, port: number, controllerPort: number): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    // A static voter set formats and runs the same on 3.9 and 4.x (no `--standalone` needed).
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `log.dirs=${path.join(dir, 'data')}`,
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    '',
  ].join('\n');
}

function logConfig(version: string, logFile: string): { file: string; text: string; property: string } {
  if (major(version) === 3) {
    return {
      file: 'log4j.properties',
      property: 'log4j.configuration',
      text: [
        'log4j.rootLogger=INFO, file',
        'log4j.appender.file=org.apache.log4j.FileAppender',
        `log4j.appender.file.File=${logFile}`,
        'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
        'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
        'log4j.logger.org.apache.kafka.clients=WARN',
        '',
      ].join('\n'),
    };
  }
  return {
    file: 'log4j2.properties',
    property: 'log4j2.configurationFile',
    text: [
      'status = error',
      'appender.file.type = File',
      'appender.file.name = FILE',
      `appender.file.fileName = ${logFile}`,
      'appender.file.layout.type = PatternLayout',
      'appender.file.layout.pattern = [%d] %p %m (%c)%n',
      'rootLogger.level = INFO',
      'rootLogger.appenderRef.file.ref = FILE',
      'logger.clients.name = org.apache.kafka.clients',
      'logger.clients.level = WARN',
      '',
    ].join('\n'),
  };
}

export function kafkaService(name: ServiceName & ('kafka' | 'kafka39')): Service {
  const dir = () => serviceDir(name);
  const marker = () => path.join(dir(), 'server.properties');
  const logFile = () => path.join(dir(), 'kafka.log');
  const ports = () => configuredPorts(name);
  const version = () => readMeta(name)?.version;

  function java(version: string, mainClass: string, args: string[], heap: string): [string, string[]] {
    const log = logConfig(version, logFile());
    const logPath = path.join(dir(), log.file);
    fs.writeFileSync(logPath, log.text);
    // C1 only and the serial GC: on two cores a broker answers in about 7 s instead of 14, and
    // test traffic is far too small to miss C2.
    return [
      'java',
      [
        `-Xmx${heap}`,
        '-XX:TieredStopAtLevel=1',
        '-XX:+UseSerialGC',
        '-Djava.awt.headless=true',
        `-D${log.property}=${major(version) === 3 ? `file:${logPath}` : logPath}`,
        '-cp',
        path.join(kafkaLibs(version), '*'),
        mainClass,
        ...args,
      ],
    ];
  }

  return {
    name,
    ports,
    version,
    logFile,
    address: () => `127.0.0.1:${ports()[0]}`,
    pid: () => readMeta(name)?.pid,
    running: () => isOurs(readMeta(name)?.pid, marker()),

    async install(say) {
      const missing = [!onPath('java') && 'openjdk-17-jre-headless', !onPath('mvn') && 'maven'].filter(
        (p): p is string => !!p,
      );
      if (missing.length > 0) await aptInstall(name, missing, say);
      const pinned = readMeta(name)?.version;
      const candidates = pinned
        ? [pinned]
        : (process.env[`RETAIL_PULSE_${name.toUpperCase()}_VERSION`]?.split(',') ?? KAFKA_VERSIONS[name]);
      const failures: string[] = [];
      for (const candidate of candidates) {
        if (!hasJars(candidate)) {
          say(`${name}: fetching Apache Kafka ${candidate} jars from Maven Central into ${kafkaLibs(candidate)}`);
          const started = Date.now();
          try {
            await fetchJars(candidate);
          } catch (err) {
            failures.push(`${candidate}: ${err instanceof Error ? err.message : String(err)}`);
            say(`${name}: Kafka ${candidate} did not resolve, trying the next version`);
            continue;
          }
          say(`${name}: fetched Kafka ${candidate} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
        }
        updateMeta(name, { version: candidate });
        return;
      }
      throw new Error(`no Kafka version resolved from Maven Central:\n${failures.join('\n')}`);
    },

    async start(say) {
      const meta = readMeta(name);
      const v = meta?.version;
      if (!v || !hasJars(v)) throw new Error('jars missing: run `up` (it fetches them)');
      const [port, controllerPort] = ports();
      fs.mkdirSync(dir(), { recursive: true });
      fs.writeFileSync(marker(), serverProperties(dir(), port, controllerPort));
      if (!fs.existsSync(path.join(dir(), 'data', 'meta.properties'))) {
        say(`${name}: formatting KRaft storage`);
        const [cmd, args] = java(
          v,
          'kafka.tools.StorageTool',
          ['format', `--cluster-id=${clusterId()}`, '-c', marker()],
          '256m',
        );
        await run(cmd, args);
      }
      const [cmd, args] = java(v, 'kafka.Kafka', [marker()], '512m');
      updateMeta(name, { ports: [port, controllerPort], pid: spawnServer(cmd, args, logFile(), { cwd: dir() }) });
    },

    async ready(deadline) {
      const kafka = new Kafka({
        clientId: 'retail-pulse-services',
        brokers: [`127.0.0.1:${ports()[0]}`],
        logLevel: logLevel.NOTHING,
        connectionTimeout: 2000,
        requestTimeout: 5000,
        retry: { retries: 0 },
      });
      await waitUntil(
        async () => {
          const admin = kafka.admin();
          try {
            await admin.connect();
            await admin.describeCluster();
            // Answering is not serving: after a restart, each partition needs its leader back.
            const topics = await admin.listTopics();
            if (topics.length) {
              const meta = await admin.fetchTopicMetadata({ topics });
              const leaderless = meta.topics.flatMap((t) =>
                t.partitions
                  .filter((p) => p.leader < 0 || p.partitionErrorCode !== 0)
                  .map((p) => `${t.name}/${p.partitionId}`),
              );
              if (leaderless.length)
                throw new Error(`partitions without a leader yet: ${leaderless.slice(0, 3).join(', ')}`);
            }
          } finally {
            await admin.disconnect().catch(() => undefined);
          }
        },
        () => isOurs(readMeta(name)?.pid, marker()),
        deadline,
        `Kafka ${version() ?? ''}`,
      );
    },

    async stop() {
      const pid = readMeta(name)?.pid;
      // A broker's controlled shutdown takes a few seconds; past 30 s it is killed (its log recovers).
      if (isOurs(pid, marker())) await terminate(pid, 30_000);
      updateMeta(name, { pid: undefined });
    },

    remove() {
      fs.rmSync(dir(), { recursive: true, force: true });
    },
  };
}
