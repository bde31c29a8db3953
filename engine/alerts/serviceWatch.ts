import type { EngineConfig } from '../config';
import { SERVICE_KINDS, type ServiceBoard } from '../serviceBoard';
import { probeService } from '../services/probe';

/**
 * Probes every service and reports to the board only what changed: a service that went down or
 * came back is shown (and alerted on) at once, without the "checking" flicker of a full check.
 */
export async function quietCheck(
  board: Pick<ServiceBoard, 'get' | 'report'>,
  config: () => EngineConfig,
  probe: typeof probeService = probeService,
): Promise<void> {
  await Promise.all(
    SERVICE_KINDS.map(async (service) => {
      const error = await probe(service, config()).then(
        () => null,
        (err: unknown) => err ?? new Error('no answer'),
      );
      const was = board.get(service).state;
      if (was === 'checking' || (error === null) !== (was === 'ok')) board.report(service, error);
    }),
  );
}
