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

/** What sealing reads of the renderer: a child's element in the transcript (if placed) and its kind. */
export interface Placement {
  el(id: number): HTMLElement | null;
  /** Whether a child of this kind may go into a chunk. */
  sealable(id: number): boolean;
}

/** A sealable kind: a message or thought, or an anchor that shows nothing (`invisible`). */
export function sealable(kind: string, invisible: boolean): boolean {
  return invisible || SEALABLE.has(kind);
}

/** The transcript's chunks (`.rc-chunk` elements, first children of its body) and the prefix they hold. */
export class Chunks {
  /** The body's chunks, oldest first, with their depth (1: messages; 2: chunks of those; ...). */
  private els: HTMLElement[] = [];
  private depths: number[] = [];
  /** Every chunk made, deeper ones in them included, in the order made. */
  private made: HTMLElement[] = [];
  /** How many of the transcript's children, from the first, the chunks hold. */
  sealed = 0;

  /** The node after the last chunk: where the rest of the transcript starts. */
  after(body: HTMLElement): ChildNode | null {
    const last = this.els[this.els.length - 1];
    return last ? last.nextSibling : body.firstChild;
  }

  /**
   * Seal the children `ids` of `body` into chunks while more than KEEP would stand after the last one: each
   * takes at least CHUNK of them and ends before a turn's first message (so the chunk's margin stands for that
   * message's). A chunk is sized as what it holds is now (one layout, read before anything moves), so sealing
   * shifts nothing on screen; off screen, `content-visibility: auto` then skips it whole.
   */
  seal(body: HTMLElement, ids: readonly number[], at: Placement): void {
    if (ids.length - this.sealed <= KEEP + CHUNK) return;
    const runs: [number, HTMLElement[]][] = []; // [the index after the run, its elements]
    let els: HTMLElement[] = [];
    let left = 0; // elements placed from the index on
    for (let i = this.sealed; i < ids.length; i++) if (at.el(ids[i] as number)) left++;
    for (let i = this.sealed; i < ids.length && left > KEEP; i++) {
      const id = ids[i] as number;
      const el = at.el(id);
      if (!el) continue;
      if (!at.sealable(id)) break;
      if (els.length >= CHUNK && el.matches(TURN_START)) {
        runs.push([i, els]);
        els = [];
      }
      els.push(el);
      left--;
    }
    if (!runs.length) return;
    // Sizes first, then the moves: one layout for all of them.
    const sizes = runs.map(([, run]) => extent(run));
    runs.forEach(([end, run], i) => {
      this.wrap(body, run, sizes[i] as number, 1);
      this.sealed = end;
    });
    this.deepen(body);
  }

  /** While the last FAN chunks are of one depth (and no deeper one follows them), seal them into one. */
  private deepen(body: HTMLElement): void {
    for (;;) {
      const n = this.els.length;
      const depth = this.depths[n - 1] as number;
      if (n < FAN || this.depths[n - FAN] !== depth) return;
      const run = this.els.splice(n - FAN);
      this.depths.splice(n - FAN);
      this.wrap(body, run, extent(run), depth + 1);
    }
  }

  /** A chunk of `depth` around the elements `run` (in the body, in order), `size` px tall (0: unknown). */
  private wrap(body: HTMLElement, run: HTMLElement[], size: number, depth: number): void {
    const chunk = body.ownerDocument.createElement("div");
    chunk.className = "rc-chunk";
    if (size) chunk.style.setProperty("contain-intrinsic-size", `auto ${size}px`);
    body.insertBefore(chunk, run[0] as HTMLElement);
    chunk.append(...run);
    this.els.push(chunk);
    this.depths.push(depth);
    this.made.push(chunk);
  }

  /** Put every chunk's elements back in its place, as the body's children: the prefix they hold changes. */
  unseal(): void {
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
    this.sealed = 0;
  }
}

/** The height from the top of the first of `run` to the bottom of its last, in px (a layout if one is due). */
function extent(run: readonly HTMLElement[]): number {
  const first = (run[0] as HTMLElement).getBoundingClientRect();
  const last = (run[run.length - 1] as HTMLElement).getBoundingClientRect();
  return Math.max(0, Math.round(last.bottom - first.top));
}
