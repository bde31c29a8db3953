import { PulseError } from '../errors';
import type { ComposeProject } from './composeFile';

/**
 * Services in start order: every service after what it depends on (file order among equals, so
 * the order is stable). `only` limits the plan to those services and everything they need.
 * A cycle is refused with its path named.
 */
export function startOrder(project: ComposeProject, only?: string[]): string[] {
  for (const name of only ?? []) {
    if (!project.services[name])
      throw new PulseError(
        'not_found',
        `no service ${name} in ${project.file} (services: ${Object.keys(project.services).join(', ')})`,
        { field: 'service' },
      );
  }
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      throw new PulseError('config_invalid', `${project.file}: depends_on has a cycle: ${cycle.join(' → ')}`, {
        field: 'depends_on',
      });
    }
    state.set(name, 'visiting');
    for (const dep of Object.keys(project.services[name].dependsOn)) visit(dep, [...trail, name]);
    state.set(name, 'done');
    order.push(name);
  };
  // Check the whole file for cycles even when starting one service: a broken file is broken.
  for (const name of Object.keys(project.services)) visit(name, []);
  if (!only) return order;
  const wanted = new Set<string>();
  const need = (name: string) => {
    if (wanted.has(name)) return;
    wanted.add(name);
    for (const dep of Object.keys(project.services[name].dependsOn)) need(dep);
  };
  only.forEach(need);
  return order.filter((n) => wanted.has(n));
}
