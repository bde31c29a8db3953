import type { ProducerSettings } from '../contract';
import { PulseError } from '../errors';
import { NO_FAULTS } from '../stages/producer/faults';
import { MAX_RATE } from '../stages/producer/producerStage';

/** In force until the UI or the CLI changes them; kept while the producer is stopped. */
export const DEFAULT_PRODUCER_SETTINGS: ProducerSettings = { rate: 500, seed: 42, faults: NO_FAULTS };

/** Returns the settings, or throws naming the field that is wrong (the UI shows it beside that field). */
export function checkProducerSettings(s: ProducerSettings): ProducerSettings {
  if (!Number.isFinite(s.rate) || s.rate <= 0 || s.rate > MAX_RATE)
    throw new PulseError('config_invalid', `rate must be between 1 and ${MAX_RATE} transactions/s, got ${s.rate}`, {
      field: 'rate',
    });
  if (!Number.isInteger(s.seed))
    throw new PulseError('config_invalid', `seed must be an integer, got ${s.seed}`, { field: 'seed' });
  if (s.limit !== undefined && (!Number.isInteger(s.limit) || s.limit < 0))
    throw new PulseError('config_invalid', `limit must be a whole number, got ${s.limit}`, { field: 'limit' });
  for (const [k, v] of Object.entries(s.faults)) {
    if (typeof v !== 'number' || !(v >= 0 && v <= 1))
      throw new PulseError('config_invalid', `fault rate ${k} must be between 0 and 1, got ${String(v)}`, {
        field: `faults.${k}`,
      });
  }
  return s;
}

/** The settings in force with a change laid over them (faults merged one by one), checked. */
export function mergeProducerSettings(
  current: ProducerSettings,
  change: Partial<Omit<ProducerSettings, 'faults'>> & { faults?: Partial<ProducerSettings['faults']> },
): ProducerSettings {
  return checkProducerSettings({ ...current, ...change, faults: { ...current.faults, ...change.faults } });
}
