// memory-map.ts: linear memory drawn as cells on a canvas of our own. Every 1 MiB chunk is a
// strip of 16 cells, one per 64 KiB slab: a small-class slab is coloured by its size class
// and lit by how full it is (carved blocks not on its free list, over its capacity), a
// large run is violet, a free slab dark; a huge span or a free chunk is one long bar. A dot
// marks a slab with remote frees waiting (on its remote stack or in an outbox). Hovering a
// cell outlines it in white and shows what it holds; clicking pins it (amber outline), and
// the pinned cell is described while nothing is hovered. A cell names a place in memory
// (chunk, slab), not what is there: when its chunk changes kind under a hovered or pinned
// cell (a SuperSlab released to a free chunk mid-run, a free chunk taken for a SuperSlab or
// a huge span), the outline and the description move to the whole chunk's strip, and back
// to the slab when the chunk is a SuperSlab again.
//
// Drawing does only what changed, since it runs while the workers keep every core busy:
// update() takes a heap snapshot a few times a second, and draw() repaints only the cells
// whose look (kind, class, fill height, dot) differs from what the canvas shows; the whole
// map is repainted only when its geometry changes (new chunks, another width). The outlines
// are on a second canvas laid over the map, so moving the mouse repaints two rectangles,
// not the map. The block counts of the description are taken for the described slab only
// (host decodeSlabCounts; the whole census would cost tens of ms with 32 busy threads).

import { decodeOutboxCounts, decodeSlabCounts, hex, type ChunkInfo, type HeapMap, type SlabInfo } from '../../host/abi/decode.js';
import type { MemoryView } from '../../host/abi/views.js';
import { classColor } from './colors.js';

const CELL = 15;
const GAP = 1;
const LABEL = 44;
const ROW = CELL + 5;
const STRIP = LABEL + 16 * (CELL + GAP) + 12;
/** Outline colours: the hovered cell, the pinned one. */
const HOVER_COLOR = '#ffffff';
const PIN_COLOR = '#ffb454';
const FREE_COLOR = '#1c2230';
const LARGE_COLOR = '#9c6ade';
const HUGE_COLOR = '#6d5a9e';
const UNKNOWN_COLOR = '#802020';
const IDLE_TEXT = 'hover a cell for its class, owner and block counts; click to pin it';

/** A cell: chunk number and slab index (-1: the whole chunk). */
export interface CellKey {
  chunk: number;
  slab: number;
}

/** Where a cell was drawn, and what it showed. */
export interface Hit {
  x: number;
  y: number;
  w: number;
  chunk: ChunkInfo;
  slab: SlabInfo | null;
}

/** The two keys name the same cell (or are both null). */
function sameCell(a: CellKey | null, b: CellKey | null): boolean {
  return a === b || (a !== null && b !== null && a.chunk === b.chunk && a.slab === b.slab);
}

/** A key as the canvas's data attributes show it: "chunk:slab", or "" for none. */
function keyText(k: CellKey | null): string {
  return k ? `${k.chunk}:${k.slab}` : '';
}

/**
 * Where key `k` is drawn: its cell among `hits`, or else its chunk's whole strip (the chunk
 * changed kind since the key was taken: a slab key on a chunk now free or a huge span, a
 * whole-chunk key on a chunk now a SuperSlab). Null only for no key or a chunk not drawn.
 */
export function placeOf(k: CellKey | null, hits: readonly Hit[], strips: ReadonlyMap<number, Hit>): Hit | null {
  if (!k) return null;
  return hits.find((h) => h.chunk.chunk === k.chunk && (h.slab?.index ?? -1) === k.slab) ??
    strips.get(k.chunk) ?? null;
}

/** Pixel height of a small slab's fill bar (at least 1: a slab in use is never blank). */
function fillHeight(s: SlabInfo): number {
  const fill = s.capacity > 0 ? Math.max(0, Math.min(1, s.used / s.capacity)) : 0;
  return Math.max(1, Math.round(CELL * fill));
}

/** The memory map view. */
export class MemoryMap {
  private hits: Hit[] = [];
  /** Each chunk's whole strip, by chunk number: where a key lands whose slab is not drawn now. */
  private strips = new Map<number, Hit>();
  private pinned: CellKey | null = null;
  private hovered: CellKey | null = null;
  private snapshot: { map: HeapMap; outboxes: Map<number, number> } | null = null;
  private mapDirty = false;
  private overlayDirty = false;
  private width: number;
  /** The geometry the canvas was last fully drawn for ("" forces a full repaint). */
  private geometry = '';
  /** What each cell shows now, by chunk index * 16 + slab index (see cellLook). */
  private looks: number[] = [];
  private readonly colours = new Map<number, string>();
  private described = '';

  /**
   * @param canvas where the map is drawn
   * @param overlay a canvas laid over it, for the outlines (it lets the mouse through)
   * @param info where a hovered or pinned cell is described
   * @param changed called when the map needs a frame (the mouse moved onto another cell)
   */
  constructor(private readonly canvas: HTMLCanvasElement, private readonly overlay: HTMLCanvasElement,
              private readonly info: HTMLElement, private readonly view: MemoryView,
              private readonly changed: () => void = () => {}) {
    this.width = canvas.clientWidth || 600;
    // The width comes from the observer, so drawing never reads layout (no forced reflow).
    new ResizeObserver((entries) => {
      const w = Math.round(entries[0]?.contentRect.width ?? this.width);
      if (w > 0 && w !== this.width) { this.width = w; this.mapDirty = true; this.changed(); }
    }).observe(canvas);
    canvas.addEventListener('mousemove', (ev) => this.setHovered(this.keyOf(this.hitAt(ev))));
    canvas.addEventListener('mouseleave', () => this.setHovered(null));
    canvas.addEventListener('click', (ev) => {
      const k = this.keyOf(this.hitAt(ev));
      this.pinned = sameCell(k, this.pinned) ? null : k; // a second click on it unpins
      this.overlayDirty = true;
      this.changed();
    });
  }

  /** The identity of a cell, which survives redrawing. */
  private keyOf(h: Hit | null): CellKey | null {
    return h ? { chunk: h.chunk.chunk, slab: h.slab?.index ?? -1 } : null;
  }

  /** Note the cell under the mouse; a change needs a frame. */
  private setHovered(k: CellKey | null): void {
    if (sameCell(k, this.hovered)) return;
    this.hovered = k;
    this.overlayDirty = true;
    this.changed();
  }

  /** Take a new heap snapshot; the next draw() shows it. */
  update(map: HeapMap): void {
    this.snapshot = { map, outboxes: decodeOutboxCounts(this.view) };
    this.mapDirty = true;
  }

  /** Draw what changed since the last call: cells, outlines, the description. */
  draw(): void {
    if (!this.snapshot) return;
    if (this.mapDirty) this.drawCells(this.snapshot.map, this.snapshot.outboxes);
    if (this.mapDirty || this.overlayDirty) {
      this.drawOutlines();
      this.describe();
    }
    this.mapDirty = this.overlayDirty = false;
  }

  /** The colour of a small slab of class `cls` with a fill bar `h` px high (0: its background). */
  private colour(cls: number, h: number): string {
    const key = cls * (CELL + 1) + h;
    let c = this.colours.get(key);
    if (c === undefined) {
      c = classColor(cls, this.view.layout.NUM_CLASSES, h / CELL);
      this.colours.set(key, c);
    }
    return c;
  }

  /**
   * A number for what a cell looks like: equal numbers, equal pixels. Small slabs: class,
   * fill height and dot; other slab states and whole-chunk kinds: one code each.
   */
  private cellLook(chunk: ChunkInfo, s: SlabInfo | null, outboxes: Map<number, number>): number {
    if (chunk.kind !== 'superslab') return chunk.kind === 'free' ? 1 : chunk.kind.startsWith('huge') ? 2 : 3;
    if (!s || s.stateName === 'free') return 4;
    if (s.stateName === 'large' || s.stateName === 'large_tail') return 5;
    if (s.stateName !== 'small') return 3;
    const dot = s.remotePending || outboxes.has(chunk.chunk * this.view.layout.SLABS_PER_SS + s.index) ? 1 : 0;
    return 16 + ((s.cls * (CELL + 1) + fillHeight(s)) << 1) + dot;
  }

  /** Repaint the cells whose look changed (every cell, and the labels, if the geometry did). */
  private drawCells(map: HeapMap, outboxes: Map<number, number>): void {
    const ratio = window.devicePixelRatio || 1;
    const width = this.width;
    const perRow = Math.max(1, Math.floor(width / STRIP));
    const rows = Math.max(1, Math.ceil(map.chunks.length / perRow));
    const height = rows * ROW + 8;
    const g = this.canvas.getContext('2d')!;
    const geometry = `${width}x${height}@${ratio}:${map.chunks.length}`;
    const full = geometry !== this.geometry;
    if (full) {
      this.geometry = geometry;
      this.looks = [];
      const pw = Math.round(width * ratio), ph = Math.round(height * ratio);
      for (const c of [this.canvas, this.overlay]) {
        if (c.width !== pw) c.width = pw;
        if (c.height !== ph) c.height = ph;
        c.style.height = `${height}px`;
      }
      g.setTransform(ratio, 0, 0, ratio, 0, 0);
      g.clearRect(0, 0, width, height);
      g.font = '10px ui-monospace, monospace';
      g.textBaseline = 'middle';
      g.fillStyle = '#8a93a6';
      map.chunks.forEach((chunk, i) => {
        g.fillText(`${chunk.chunk}`.padStart(4), (i % perRow) * STRIP, 4 + Math.floor(i / perRow) * ROW + CELL / 2);
      });
      if (map.chunks.length === 0) g.fillText('no heap chunks yet: start a run', 4, 12);
    }
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    this.hits = [];
    this.strips.clear();
    let changed = 0;
    map.chunks.forEach((chunk, i) => {
      const x = (i % perRow) * STRIP + LABEL;
      const y = 4 + Math.floor(i / perRow) * ROW;
      const strip: Hit = { x, y, w: 16 * (CELL + GAP) - GAP, chunk, slab: null };
      this.strips.set(chunk.chunk, strip);
      if (chunk.kind !== 'superslab') this.hits.push(strip); // one bar: the mouse finds the chunk
      for (let k = 0; k < 16; k++) {
        const s = chunk.kind === 'superslab' ? chunk.slabs[k] ?? null : null;
        const look = this.cellLook(chunk, s, outboxes);
        const cx = x + k * (CELL + GAP);
        if (s) this.hits.push({ x: cx, y, w: CELL, chunk, slab: s });
        if (this.looks[i * 16 + k] === look) continue;
        this.looks[i * 16 + k] = look;
        changed++;
        this.drawCell(g, chunk, s, look, cx, y, k);
      }
    });
    this.canvas.dataset.repainted = String(changed);
  }

  /** Paint cell `k` of a chunk at (x, y); it owns the gap on its right. */
  private drawCell(g: CanvasRenderingContext2D, chunk: ChunkInfo, s: SlabInfo | null, look: number,
                   x: number, y: number, k: number): void {
    const withGap = k < 15 ? CELL + GAP : CELL;
    g.clearRect(x, y, withGap, CELL);
    if (chunk.kind !== 'superslab') {
      // A whole-chunk kind is one bar: its cells join up through their gaps.
      g.fillStyle = look === 1 ? FREE_COLOR : look === 2 ? HUGE_COLOR : UNKNOWN_COLOR;
      g.fillRect(x, y, withGap, CELL);
    } else if (look === 5) {
      g.fillStyle = LARGE_COLOR;
      g.fillRect(x, y, s!.stateName === 'large' || k < 15 ? CELL + GAP : CELL, CELL);
    } else if (look >= 16 && s) {
      const h = fillHeight(s);
      g.fillStyle = this.colour(s.cls, 0);
      g.fillRect(x, y, CELL, CELL);
      g.fillStyle = this.colour(s.cls, h);
      g.fillRect(x, y + CELL - h, CELL, h);
      if (look & 1) {
        g.fillStyle = '#ffffff';
        g.fillRect(x + CELL - 4, y + 1, 3, 3);
      }
    } else {
      g.fillStyle = look === 3 ? UNKNOWN_COLOR : FREE_COLOR;
      g.fillRect(x, y, CELL, CELL);
    }
  }

  /** Where a key is drawn now (placeOf). */
  private hitOf(k: CellKey | null): Hit | null {
    return placeOf(k, this.hits, this.strips);
  }

  /** The overlay: the pinned and the hovered cell's outlines. */
  private drawOutlines(): void {
    const ratio = window.devicePixelRatio || 1;
    const g = this.overlay.getContext('2d')!;
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.clearRect(0, 0, this.overlay.width, this.overlay.height);
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    const pin = this.hitOf(this.pinned), hover = this.hitOf(this.hovered);
    // The pinned outline sits one pixel further out, so both show when they are one cell.
    this.canvas.dataset.pinBox = pin ? this.outline(g, pin, PIN_COLOR, 2) : '';
    this.canvas.dataset.hoverBox = hover ? this.outline(g, hover, HOVER_COLOR, 1) : '';
    this.canvas.dataset.pinned = keyText(pin ? this.pinned : null);
    this.canvas.dataset.hovered = keyText(hover ? this.hovered : null);
  }

  /**
   * Stroke a 2 px outline `out` px outside cell `h`; returns the outline's box (CSS px,
   * "x,y,w,h", the stroke centred on its edges) for tests.
   */
  private outline(g: CanvasRenderingContext2D, h: Hit, colour: string, out: number): string {
    const x = h.x - out, y = h.y - out, w = h.w + 2 * out, hh = CELL + 2 * out;
    g.strokeStyle = colour;
    g.lineWidth = 2;
    g.strokeRect(x, y, w, hh);
    return `${x},${y},${w},${hh}`;
  }

  /** The cell under a mouse event. */
  private hitAt(ev: MouseEvent): Hit | null {
    const r = this.canvas.getBoundingClientRect();
    const x = ev.clientX - r.left, y = ev.clientY - r.top;
    return this.hits.find((h) => x >= h.x && x < h.x + h.w && y >= h.y && y < h.y + CELL) ?? null;
  }

  /** Describe the hovered cell, else the pinned one (the text is written only when it changed). */
  private describe(): void {
    const h = this.hitOf(this.hovered) ?? this.hitOf(this.pinned);
    const text = h ? `${this.pinned && !this.hitOf(this.hovered) ? 'pinned: ' : ''}${this.text(h)}` : IDLE_TEXT;
    if (text === this.described) return;
    this.described = text;
    this.info.textContent = text;
  }

  /** The description of a cell. */
  private text(h: Hit): string {
    const c = h.chunk;
    if (!h.slab) {
      const what = c.kind === 'huge' ? `huge span head, ${c.chunks} chunks` :
        c.kind === 'huge_tail' ? `huge span tail (head chunk ${c.head})` :
        c.kind === 'superslab' ? 'SuperSlab (hover a slab for its blocks)' : c.kind;
      return `chunk ${c.chunk} at ${hex(c.addr)}: ${what}`;
    }
    const s = h.slab;
    const head = `chunk ${c.chunk} slab ${s.index} at ${hex(s.addr)}: `;
    if (s.stateName === 'free') return `${head}free slab`;
    if (s.stateName === 'large') return `${head}large run of ${s.span} slabs, ${s.largeSize} bytes asked`;
    if (s.stateName === 'large_tail') return `${head}large run tail (${s.span} slabs after its head)`;
    const { cached, remote } = decodeSlabCounts(this.view, s.addr, s.cls, s.capacity, this.snapshot?.outboxes ?? new Map());
    const inUse = Math.max(0, s.used - cached - remote);
    return `${head}class ${s.cls} (${s.stride} B blocks), owner ${s.owner === 0 ? 'none (orphan)' : `thread ${s.owner}`}, ` +
      `list ${s.list} | in use ${inUse}, cached ${cached}, free ${s.free}, remote ${remote}` +
      `${s.remotePending ? ' (stack not empty)' : ''} | carved ${s.carved} of ${s.capacity}`;
  }
}
