// legend.ts: the memory map's legend: the size-class colour ramp with sizes at its ends,
// and the swatches of the other cell kinds.

import { classColor } from './colors.js';

/** Fill `el` with the legend for `classSizes` (block size of each class). */
export function drawLegend(el: HTMLElement, classSizes: readonly number[]): void {
  const n = classSizes.length;
  const stops = classSizes.map((_, c) => classColor(c, n, 1)).join(', ');
  const ramp = document.createElement('span');
  ramp.className = 'ramp';
  ramp.style.background = `linear-gradient(to right, ${stops})`;
  const swatch = (color: string, text: string): HTMLSpanElement => {
    const s = document.createElement('span');
    const box = document.createElement('span');
    box.className = 'swatch';
    box.style.background = color;
    s.append(box, text);
    return s;
  };
  el.replaceChildren(
    `class ${classSizes[0]} B`, ramp, `${classSizes[n - 1]} B`,
    swatch('#9c6ade', 'large run'), swatch('#6d5a9e', 'huge span'), swatch('#1c2230', 'free'),
  );
}
