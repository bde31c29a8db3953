import { testService } from '../../../testing/realServices';
import { brokerContract } from '../broker.contract';
import { KafkaBroker } from './kafkaBroker';

// kafkajs 2.2.4 is unmaintained since 2023: the same suite runs against a 4.x and a 3.9.x broker.
for (const name of ['kafka', 'kafka39'] as const) {
  brokerContract(`Apache Kafka (${name})`, async () => ({
    broker: await KafkaBroker.open({ brokers: [testService(name)], clientId: 'rp-contract' }),
    cleanup: async () => undefined,
  }));
}
