// The transcript's older messages, sealed into chunks. The browser's work per frame (layout, paint, and the
// visibility checks behind `content-visibility: auto`) grows with the transcript's direct children: chunks keep
// those few at any length, so a turn at 1,000 messages costs what it costs at 10.

/**
 * A chunk holds at least CHUNK elements; the newest KEEP (and more, up to a chunk's worth) stay after the last
 * chunk, where a turn adds and changes things.
 */
export const CHUNK = 25;
export const KEEP = 20;
/**
 * FAN chunks in a row of the same depth are sealed again into one chunk a level deeper, so the transcript keeps
 * fewer than FAN children per level: about 30 for 10,000 messages, where chunks of CHUNK alone would be 400
 * (each one the browser lays out, paints and checks for visibility at every frame).
 */
export const FAN = 16;
/**
 * Kinds a chunk may hold besides the invisible anchors; any other in the transcript stops sealing there (an
 * error, say: `.rc-error ~ *` greys its later siblings).
 */
const SEALABLE = new Set(["message", "thought"]);
/** A turn's first message, after a message: where a chunk may end (styles.css gives the chunk its margin). */
const TURN_START = '.rc-message + .rc-message[data-role="user"]:not(.rc-cont)';

/** What sealing reads of the renderer: a child's element in the transcript (if placed), its kind, whether it waits. */
export interface Placement {
  el(id: number): HTMLElement | null;
  /** Whether a child of this kind may go into a chunk. */
  sealable(id: number): boolean;
  /** Whether a child's element is still to be built (backlog.ts): sealing passes over it (see Chunks.hold). */
  waiting(id: number): boolean;
}

/** A sealable kind: a message or thought, or an anchor that shows nothing (`invisible`). */
export function sealable(kind: string, invisible: boolean): boolean {
  return invisible || SEALABLE.has(kind);
}

/** Children still to be built (backlog.ts) that sealing passed over: a chunk of their own holds them as built. */
interface Gap {
  /** Their index range in the transcript's children. */
  start: number;
  end: number;
  /** The chunk standing in their place, which they are built into, oldest first. */
  el: HTMLElement;
  /** Its own chunks, sealing them as they come, all but the last few (else 9,976 waiting: as many children). */
  inner: Chunks;
  /** Whether some were built into it since it was last sealed. */
  fresh: boolean;
}

/** An unmeasured chunk's height per message it holds, in rem: a skipped message's (styles.css) and the gap. */
const REM_PER_MESSAGE = 5;

/** The transcript's chunks (`.rc-chunk` elements, first children of its body) and the prefix they hold. */
export class Chunks {
  /** The body's chunks, oldest first, with their depth (1: messages; 2: chunks of those; ...). */
  private els: HTMLElement[] = [];
  private depths: number[] = [];
  /** Every chunk made, deeper ones in them included, in the order made. */
  private made: HTMLElement[] = [];
  /** The messages each chunk holds, for the size of one not measured. */
  private readonly counts = new WeakMap<HTMLElement, number>();
  /** The gaps passed over, in order. */
  private gaps: Gap[] = [];
  /** How many of the transcript's children, from the first, the chunks hold. */
  sealed = 0;

  /**
   * `keep`: how many stay after the last chunk, at least. `measured`: chunks are sized by a layout of what they
   * hold (else estimated: a gap's, built off screen).
   */
  constructor(
    private readonly keep = KEEP,
    private readonly measured = true,
  ) {}

  /** How many of the transcript's children, from the first, the chunks and the gaps after them stand for. */
  get reach(): number {
    return Math.max(this.sealed, this.gaps[this.gaps.length - 1]?.end ?? 0);
  }

  /** The node after the last chunk: where the rest of the transcript starts. */
  after(body: HTMLElement): ChildNode | null {
    const last = this.els[this.els.length - 1];
    return last ? last.nextSibling : body.firstChild;
  }

  /** Put `el`, built for child `i`, into the gap that stands for it, after those built before it; false if none does. */
  hold(i: number, el: HTMLElement): boolean {
    const gap = this.gaps.find((g) => g.start <= i && i < g.end);
    if (!gap) return false;
    gap.el.append(el); // (built oldest first)
    gap.fresh = true;
    return true;
  }

  /**
   * Seal the children `ids` of `body` into chunks while more than KEEP would stand after the last one: each
   * takes at least CHUNK of them and ends before a turn's first message (so the chunk's margin stands for that
   * message's). A chunk is sized as what it holds is now (one layout, read before anything moves), so sealing
   * shifts nothing on screen; off screen, `content-visibility: auto` then skips it whole. Children still to be
   * built are passed over: a gap chunk stands for each run of them (see `hold`), so what the body holds stays
   * few however many wait, and no chunk takes thousands of them later.
   */
  seal(body: HTMLElement, ids: readonly number[], at: Placement): void {
    for (const gap of this.gaps) {
      if (!gap.fresh) continue;
      gap.fresh = false;
      gap.inner.seal(gap.el, ids.slice(gap.start, gap.end), at);
    }
    if (ids.length - this.sealed <= this.keep + CHUNK) return;
    const runs: [number, HTMLElement[]][] = []; // [the index after the run, its elements]
    let els: HTMLElement[] = [];
    let left = 0; // elements from the index on (a gap counts once)
    for (let i = this.sealed; i < ids.length; i++) {
      if (at.el(ids[i] as number) && !this.gaps.some((g) => g.start <= i && i < g.end)) left++;
    }
    left += this.gaps.filter((g) => g.start >= this.sealed).length;
    const made = this.made.length;
    for (let i = this.sealed; i < ids.length && left > this.keep; i++) {
      const id = ids[i] as number;
      let gap = this.gaps.find((g) => g.start === i);
      if (!gap && !at.el(id) && at.waiting(id)) gap = this.pass(body, ids, i, at);
      const el = gap ? gap.el : at.el(id);
      if (!el) continue;
      if (!gap && !at.sealable(id)) break;
      if (els.length >= CHUNK && el.matches(TURN_START)) {
        runs.push([i, els]);
        els = [];
      }
      els.push(el);
      left--;
      if (gap) i = gap.end - 1;
    }
    if (runs.length) {
      // Sizes first, then the moves: one layout for all of them.
      const sizes = runs.map(([, run]) => this.size(run));
      runs.forEach(([end, run], i) => {
        this.wrap(body, run, sizes[i] as string, 1);
        this.sealed = end;
      });
      this.deepen(body);
    }
    hideOnce(body, this.made.slice(made));
  }

  /** A gap chunk for the run of children waiting from `i` on, put where they go (before the next one built). */
  private pass(body: HTMLElement, ids: readonly number[], i: number, at: Placement): Gap {
    let end = i;
    while (end < ids.length && !at.el(ids[end] as number)) end++;
    const el = body.ownerDocument.createElement("div");
    el.className = "rc-chunk";
    el.style.setProperty("contain-intrinsic-size", `auto ${(end - i) * REM_PER_MESSAGE}rem`);
    this.counts.set(el, end - i);
    body.insertBefore(el, end < ids.length ? at.el(ids[end] as number) : null);
    const gap = { start: i, end, el, inner: new Chunks(0, false), fresh: false };
    this.gaps.push(gap);
    this.made.push(el);
    return gap;
  }

  /** While the last FAN chunks are of one depth (and no deeper one follows them), seal them into one. */
  private deepen(body: HTMLElement): void {
    for (;;) {
      const n = this.els.length;
      const depth = this.depths[n - 1] as number;
      if (n < FAN || this.depths[n - FAN] !== depth) return;
      const run = this.els.splice(n - FAN);
      this.depths.splice(n - FAN);
      this.wrap(body, run, this.size(run), depth + 1);
    }
  }

  /** The height of a chunk holding `run`, for `contain-intrinsic-size` ("": unknown). */
  private size(run: readonly HTMLElement[]): string {
    if (this.measured) {
      const px = extent(run);
      return px ? `${px}px` : "";
    }
    return `${this.count(run) * REM_PER_MESSAGE}rem`;
  }

  private count(run: readonly HTMLElement[]): number {
    return run.reduce((n, el) => n + (this.counts.get(el) ?? 1), 0);
  }

  /** A chunk of `depth` around the elements `run` (in the body, in order), `size` tall. */
  private wrap(body: HTMLElement, run: HTMLElement[], size: string, depth: number): void {
    const chunk = body.ownerDocument.createElement("div");
    chunk.className = "rc-chunk";
    if (size) chunk.style.setProperty("contain-intrinsic-size", `auto ${size}`);
    this.counts.set(chunk, this.count(run));
    body.insertBefore(chunk, run[0] as HTMLElement);
    chunk.append(...run);
    this.els.push(chunk);
    this.depths.push(depth);
    this.made.push(chunk);
  }

  /** Put every chunk's elements back in its place, as the body's children: the prefix they hold changes. */
  unseal(): void {
    for (const gap of this.gaps) gap.inner.unseal();
    // The deeper chunks first (made after what they hold): their chunks come out, then those open too.
    for (let i = this.made.length - 1; i >= 0; i--) {
      const chunk = this.made[i] as HTMLElement;
      chunk.replaceWith(...chunk.childNodes);
    }
    this.clear();
  }

  /** Forget the chunks (the body they were in is gone). */
  clear(): void {
    this.els = [];
    this.depths = [];
    this.made = [];
    this.gaps = [];
    this.sealed = 0;
  }
}

/**
 * Style the new `chunks` once as hidden, then show them, once all are made and measured. What they hold was
 * styled last as the body's own children, some as `content-visibility: auto` (data-settled, skipped off
 * screen); under a chunk, which skips them in turn, Chrome never styled them again and kept checking each one's
 * visibility at every frame (a turn at 10,000 messages spent 2.7 ms in style and layout instead of 1). Hidden,
 * they lose that style; shown again, the chunk styles them only once on screen, as what they are now. Only
 * style is updated in between, no layout (which would see them gone, and the scroll position with it).
 */
function hideOnce(body: HTMLElement, chunks: readonly HTMLElement[]): void {
  const outer = chunks[chunks.length - 1];
  const view = body.ownerDocument.defaultView;
  if (!outer || !view) return;
  for (const chunk of chunks) chunk.style.display = "none";
  void view.getComputedStyle(outer).display;
  for (const chunk of chunks) chunk.style.removeProperty("display");
}

/** The height from the top of the first of `run` to the bottom of its last, in px (a layout if one is due). */
function extent(run: readonly HTMLElement[]): number {
  const first = (run[0] as HTMLElement).getBoundingClientRect();
  const last = (run[run.length - 1] as HTMLElement).getBoundingClientRect();
  return Math.max(0, Math.round(last.bottom - first.top));
}
