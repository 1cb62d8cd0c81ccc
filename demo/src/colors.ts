// colors.ts: the page's colour scales: one hue per size class (small classes blue, the
// largest red), and one colour per thread for the chart.

/** Hue (degrees) of size class `cls` of `classes`: 230 (blue) for the smallest to 0 (red). */
export function classHue(cls: number, classes: number): number {
  return 230 - (230 * cls) / Math.max(1, classes - 1);
}

/** CSS colour of a size class at `fill` (0 = empty, 1 = full): a fuller slab is brighter. */
export function classColor(cls: number, classes: number, fill: number): string {
  const f = Math.max(0, Math.min(1, fill));
  return `hsl(${classHue(cls, classes).toFixed(0)} ${(45 + 45 * f).toFixed(0)}% ${(22 + 38 * f).toFixed(0)}%)`;
}

const THREAD_COLORS = ['#4fc3f7', '#ffb74d', '#81c784', '#f06292', '#ba68c8', '#fff176', '#4db6ac',
  '#ff8a65', '#9575cd', '#aed581', '#e57373', '#64b5f6', '#dce775', '#a1887f', '#90a4ae', '#f48fb1'];

/** Colour of thread (series) `i`. */
export function threadColor(i: number): string {
  return THREAD_COLORS[i % THREAD_COLORS.length]!;
}
