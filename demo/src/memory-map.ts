// memory-map.ts: linear memory drawn as cells on a canvas of our own. Every 1 MiB chunk is a
// strip of 16 cells, one per 64 KiB slab: a small-class slab is coloured by its size class
// and lit by how full it is (carved blocks not on its free list, over its capacity), a
// large run is violet, a free slab dark; a huge span or a free chunk is one long bar. A dot
// marks a slab whose remote-free stack is not empty. Hovering a cell shows what it holds;
// clicking pins it.

import { hex, slabIdOf, type ChunkInfo, type HeapMap, type SlabCensus, type SlabInfo } from '../../host/abi/decode.js';
import type { MemoryView } from '../../host/abi/views.js';
import { classColor } from './colors.js';

const CELL = 15;
const GAP = 1;
const LABEL = 44;
const ROW = CELL + 5;
const STRIP = LABEL + 16 * (CELL + GAP) + 12;

/** A cell: chunk number and slab index (-1: the whole chunk). */
interface CellKey {
  chunk: number;
  slab: number;
}

/** Where a cell was drawn, and what it showed. */
interface Hit {
  x: number;
  y: number;
  w: number;
  chunk: ChunkInfo;
  slab: SlabInfo | null;
}

/** The memory map view. */
export class MemoryMap {
  private hits: Hit[] = [];
  private pinned: CellKey | null = null;
  private hovered: CellKey | null = null;
  private last: { map: HeapMap; census: SlabCensus } | null = null;

  /**
   * @param canvas where the map is drawn
   * @param info where a hovered or pinned cell is described
   */
  constructor(private readonly canvas: HTMLCanvasElement, private readonly info: HTMLElement,
              private readonly view: MemoryView) {
    canvas.addEventListener('mousemove', (ev) => { this.hovered = this.keyOf(this.hitAt(ev)); this.describe(); });
    canvas.addEventListener('mouseleave', () => { this.hovered = null; this.describe(); });
    canvas.addEventListener('click', (ev) => { this.pinned = this.keyOf(this.hitAt(ev)); this.describe(); });
  }

  /** The identity of a cell, which survives redrawing. */
  private keyOf(h: Hit | null): CellKey | null {
    return h ? { chunk: h.chunk.chunk, slab: h.slab?.index ?? -1 } : null;
  }

  /** Draw a snapshot. */
  draw(map: HeapMap, census: SlabCensus): void {
    this.last = { map, census };
    const ratio = window.devicePixelRatio || 1;
    const width = this.canvas.clientWidth || 600;
    const perRow = Math.max(1, Math.floor(width / STRIP));
    const rows = Math.max(1, Math.ceil(map.chunks.length / perRow));
    const height = rows * ROW + 8;
    if (this.canvas.width !== Math.round(width * ratio) || this.canvas.height !== Math.round(height * ratio)) {
      this.canvas.width = Math.round(width * ratio);
      this.canvas.height = Math.round(height * ratio);
      this.canvas.style.height = `${height}px`;
    }
    const g = this.canvas.getContext('2d')!;
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);
    g.font = '10px ui-monospace, monospace';
    g.textBaseline = 'middle';
    this.hits = [];
    map.chunks.forEach((chunk, i) => {
      const x0 = (i % perRow) * STRIP;
      const y = 4 + Math.floor(i / perRow) * ROW;
      g.fillStyle = '#8a93a6';
      g.fillText(`${chunk.chunk}`.padStart(4), x0, y + CELL / 2);
      this.drawChunk(g, chunk, x0 + LABEL, y, census);
    });
    if (map.chunks.length === 0) {
      g.fillStyle = '#8a93a6';
      g.fillText('no heap chunks yet: start a run', 4, 12);
    }
    this.describe();
  }

  /** Draw one chunk's strip at (x, y). */
  private drawChunk(g: CanvasRenderingContext2D, chunk: ChunkInfo, x: number, y: number, census: SlabCensus): void {
    const full = 16 * (CELL + GAP) - GAP;
    if (chunk.kind !== 'superslab') {
      g.fillStyle = chunk.kind === 'free' ? '#1c2230' : chunk.kind.startsWith('huge') ? '#6d5a9e' : '#802020';
      g.fillRect(x, y, full, CELL);
      this.hits.push({ x, y, w: full, chunk, slab: null });
      return;
    }
    const classes = this.view.layout.NUM_CLASSES;
    for (const s of chunk.slabs) {
      const cx = x + s.index * (CELL + GAP);
      if (s.stateName === 'small') {
        const fill = s.capacity > 0 ? s.used / s.capacity : 0;
        g.fillStyle = classColor(s.cls, classes, 0);
        g.fillRect(cx, y, CELL, CELL);
        const h = Math.max(1, Math.round(CELL * fill));
        g.fillStyle = classColor(s.cls, classes, fill);
        g.fillRect(cx, y + CELL - h, CELL, h);
        const id = chunk.chunk * this.view.layout.SLABS_PER_SS + s.index;
        if (s.remotePending || census.remote.has(id)) {
          g.fillStyle = '#ffffff';
          g.fillRect(cx + CELL - 4, y + 1, 3, 3);
        }
      } else if (s.stateName === 'large' || s.stateName === 'large_tail') {
        g.fillStyle = '#9c6ade';
        g.fillRect(cx, y, CELL + (s.stateName === 'large' || s.index < 15 ? GAP : 0), CELL);
      } else {
        g.fillStyle = '#1c2230';
        g.fillRect(cx, y, CELL, CELL);
      }
      this.hits.push({ x: cx, y, w: CELL, chunk, slab: s });
    }
  }

  /** The cell under a mouse event. */
  private hitAt(ev: MouseEvent): Hit | null {
    const r = this.canvas.getBoundingClientRect();
    const x = ev.clientX - r.left, y = ev.clientY - r.top;
    return this.hits.find((h) => x >= h.x && x < h.x + h.w && y >= h.y && y < h.y + CELL) ?? null;
  }

  /** Describe the hovered cell, else the pinned one, from the latest snapshot. */
  private describe(): void {
    const key = this.hovered ?? this.pinned;
    const h = key && this.hits.find((x) => x.chunk.chunk === key.chunk && (x.slab?.index ?? -1) === key.slab);
    this.info.textContent = h ? this.text(h) : 'hover a cell for its class, owner and block counts; click to pin it';
  }

  /** The description of a cell. */
  private text(h: Hit): string {
    const c = h.chunk;
    if (!h.slab) {
      const what = c.kind === 'huge' ? `huge span head, ${c.chunks} chunks` :
        c.kind === 'huge_tail' ? `huge span tail (head chunk ${c.head})` : c.kind;
      return `chunk ${c.chunk} at ${hex(c.addr)}: ${what}`;
    }
    const s = h.slab;
    const head = `chunk ${c.chunk} slab ${s.index} at ${hex(s.addr)}: `;
    if (s.stateName === 'free') return `${head}free slab`;
    if (s.stateName === 'large') return `${head}large run of ${s.span} slabs, ${s.largeSize} bytes asked`;
    if (s.stateName === 'large_tail') return `${head}large run tail (${s.span} slabs after its head)`;
    const census = this.last?.census;
    const id = slabIdOf(this.view, s.addr);
    const cached = census?.cached.get(id) ?? 0;
    const remote = census?.remote.get(id) ?? 0;
    const inUse = Math.max(0, s.used - cached - remote);
    return `${head}class ${s.cls} (${s.stride} B blocks), owner ${s.owner === 0 ? 'none (orphan)' : `thread ${s.owner}`}, ` +
      `list ${s.list} | in use ${inUse}, cached ${cached}, free ${s.free}, remote ${remote}` +
      `${s.remotePending ? ' (stack not empty)' : ''} | carved ${s.carved} of ${s.capacity}`;
  }
}
