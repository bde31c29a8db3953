import type { FaultRates } from '../contract';
import type { Host } from '../host';

/** Sales through the stream into the lake: `limit` transactions at a high rate, drained, the stream stopped. */
export async function produceSales(host: Host, limit: number, faults: Partial<FaultRates> = {}): Promise<void> {
  await host.startStream();
  await host.startProducer({
    rate: 4000,
    limit,
    faults: { malformed: 0, invalid: 0, late: 0, duplicate: 0, ...faults },
  });
  await host.producerDone();
  await host.drainStream();
  await host.stopStream();
}
