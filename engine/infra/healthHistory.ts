/** Each service's state and health over time, as this Host saw them: a change is kept, a repeat is not. */
import type { InfraHealthSample, InfraStatus } from '../contract';

const KEEP = 50;

export class HealthHistory {
  private readonly samples = new Map<string, InfraHealthSample[]>();

  /** Notes every service's current state and health, and returns the status with each one's history. */
  record(status: InfraStatus, at = Date.now()): InfraStatus {
    for (const s of status.services) {
      const list = this.samples.get(s.service) ?? [];
      const last = list.at(-1);
      if (!last || last.state !== s.state || last.health !== s.health) {
        list.push({ at, state: s.state, health: s.health });
        if (list.length > KEEP) list.shift();
        this.samples.set(s.service, list);
      }
    }
    return {
      ...status,
      services: status.services.map((s) => ({ ...s, history: [...(this.samples.get(s.service) ?? [])] })),
    };
  }
}
