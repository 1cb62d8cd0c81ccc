// frame-loop.ts: the page's one animation loop. Every live view is a task with its own
// period (the ring need not be re-read 60 times a second); on each requestAnimationFrame the
// loop runs the tasks that are due, most overdue first, until the frame's time budget is
// spent, and leaves the rest for the next frame. So the main thread never does more than
// about one budget of view work per frame however much the heap changes, draws only when a
// frame is about to be shown, and does nothing while the tab is hidden.
//
// When the workers keep every core busy, the main thread gets only its share of the CPU
// and each millisecond of view work costs frames. So the loop watches its own frame rate:
// when it falls well below the best rate it has seen, it stretches every period (up to
// MAX_STRETCH times: views refresh less often, the page stays responsive), and shrinks them
// back once the rate recovers. It also measures itself: frames per second, view work per
// frame and the stretch, shown on the page and read by the end-to-end test.

/** Milliseconds of view work a frame may take before the remaining due tasks wait. */
const FRAME_BUDGET_MS = 6;
/** How often the meter's figures are published (and the stretch adjusted). */
const METER_MS = 1000;
/** The periods are stretched at most this many times. */
const MAX_STRETCH = 8;
/** Below this fraction of the best frame rate the periods stretch, above the second they shrink. */
const SLOW_FRACTION = 0.75;
const FAST_FRACTION = 0.9;

/** One periodic piece of view work. */
interface Task {
  name: string;
  periodMs: number;
  run: () => void;
  /** When it is next due (performance.now() time); 0: at the next frame. */
  due: number;
  /** Milliseconds it took, summed over the current meter interval, and its worst run. */
  spent: number;
  worst: number;
}

/** What the loop measured over the last meter interval. */
export interface FrameMeter {
  fps: number;
  /** Mean view work per frame, in ms. */
  workMs: number;
  /** The longest single frame's view work, in ms. */
  worstFrameMs: number;
  /** How many times their nominal period the views are refreshed at now (1: not stretched). */
  stretch: number;
  /** Per task: mean ms per frame and its longest run. */
  tasks: { name: string; msPerFrame: number; worstMs: number }[];
}

/** The loop: tasks by name, run on animation frames within a budget. */
export class FrameLoop {
  private readonly tasks: Task[] = [];
  private frames = 0;
  private work = 0;
  private worstFrame = 0;
  private meterStart = performance.now();
  private stretch = 1;
  private bestFps = 0;

  /** @param onMeter called once a second with what the loop measured */
  constructor(private readonly onMeter: (m: FrameMeter) => void) {
    requestAnimationFrame((t) => this.frame(t));
  }

  /** Run `run` about every `periodMs` (at most once a frame); it first runs at the next frame. */
  add(name: string, periodMs: number, run: () => void): void {
    this.tasks.push({ name, periodMs, run, due: 0, spent: 0, worst: 0 });
  }

  /** Make task `name` due at the next frame (e.g. a hover changed what the map shows). */
  wake(name: string): void {
    const t = this.tasks.find((x) => x.name === name);
    if (t) t.due = 0;
  }

  /** One animation frame: the due tasks, most overdue first, within the budget. */
  private frame(_time: number): void {
    requestAnimationFrame((t) => this.frame(t));
    const start = performance.now();
    const due = this.tasks.filter((t) => t.due <= start).sort((a, b) => a.due - b.due);
    let now = start;
    for (const t of due) {
      if (now - start >= FRAME_BUDGET_MS) break; // the rest stay due: next frame
      try {
        t.run();
      } catch (e) {
        console.error(`view ${t.name}:`, e); // one broken view must not stop the others
      }
      const end = performance.now();
      t.spent += end - now;
      t.worst = Math.max(t.worst, end - now);
      // From its start, not its end: a period is a rate, not a pause after the work.
      t.due = Math.max(now + t.periodMs * this.stretch, end);
      now = end;
    }
    this.frames++;
    this.work += now - start;
    this.worstFrame = Math.max(this.worstFrame, now - start);
    if (now - this.meterStart >= METER_MS) this.publish(now);
  }

  /** Hand the interval's figures to onMeter, adjust the stretch, start a new interval. */
  private publish(now: number): void {
    const secs = (now - this.meterStart) / 1000;
    const frames = Math.max(1, this.frames);
    const fps = this.frames / secs;
    this.bestFps = Math.max(this.bestFps, fps);
    if (fps < SLOW_FRACTION * this.bestFps) this.stretch = Math.min(MAX_STRETCH, this.stretch * 1.5);
    else if (fps > FAST_FRACTION * this.bestFps) this.stretch = Math.max(1, this.stretch / 1.5);
    this.onMeter({
      fps,
      workMs: this.work / frames,
      worstFrameMs: this.worstFrame,
      stretch: this.stretch,
      tasks: this.tasks.map((t) => ({ name: t.name, msPerFrame: t.spent / frames, worstMs: t.worst })),
    });
    for (const t of this.tasks) { t.spent = 0; t.worst = 0; }
    this.frames = 0;
    this.work = 0;
    this.worstFrame = 0;
    this.meterStart = now;
  }
}
