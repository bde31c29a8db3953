import type { EChartsCoreOption } from 'echarts/core';
import { LOCALE } from '../format';

/**
 * One look for every chart: a palette with enough distinct colours for the 12 stores (and the 9
 * categories) in both themes, compact value labels that do not collide, axis names placed along
 * the axis where no legend can cover them.
 */
export const PALETTE = [
  '#4e79a7', // blue
  '#f28e2b', // orange
  '#e15759', // red
  '#59a14f', // green
  '#edc948', // yellow
  '#b07aa1', // purple
  '#76b7b2', // teal
  '#ff9da7', // pink
  '#9c755f', // brown
  '#bab0ac', // grey
  '#17becf', // cyan
  '#bcbd22', // olive
  '#a0cbe8', // light blue
  '#8cd17d', // light green
];

const COMPACT = new Intl.NumberFormat(LOCALE, { notation: 'compact', maximumFractionDigits: 1 });
export const compact = (n: number): string => COMPACT.format(n);

/** A value axis named along its side (never under the legend), with compact labels that hide on overlap. */
export function valueAxis(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'value',
    name,
    nameLocation: 'middle',
    nameGap: 44,
    axisLabel: { formatter: compact, hideOverlap: true },
    ...extra,
  };
}

/** A category axis whose labels are cut to `width` px rather than running into each other. */
export function categoryAxis(data: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'category', data, axisLabel: { hideOverlap: true }, ...extra };
}

export const baseOption = (extra: EChartsCoreOption): EChartsCoreOption => ({
  backgroundColor: 'transparent',
  animation: false,
  color: PALETTE,
  tooltip: { trigger: 'axis' },
  grid: { left: 64, right: 20, top: 36, bottom: 32 },
  ...extra,
});
