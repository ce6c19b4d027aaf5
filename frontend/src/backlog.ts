// The older messages of a long transcript that arrived at once (a long conversation opening), built later.

/**
 * A transcript that arrives with more new messages than LAZY_MIN at once builds only its last LAZY_KEEP at
 * once, so the newest are on screen after one short frame; the older ones are built oldest first (so chunks.ts
 * can seal them as they come) in slices of about SLICE_MS while the page is otherwise idle (`Renderer.settle`
 * builds the rest at once).
 */
const LAZY_MIN = 200;
const LAZY_KEEP = 24; // a tall screen shows fewer; the server renders as many of a never-rendered history first (renders.TAIL)
const SLICE_MS = 8;

/** The ids waiting to be built, and the slices that build them. */
export class Backlog {
  private readonly ids = new Set<number>();
  private sliced = false;

  /** `build(deadline)` builds waiting ones until `deadline` (performance.now(); Infinity: all). */
  constructor(private readonly build: (deadline: number) => void) {}

  get size(): number {
    return this.ids.size;
  }

  has(id: number): boolean {
    return this.ids.has(id);
  }

  /** Take `id` out of the backlog; whether it was in it. */
  take(id: number): boolean {
    return this.ids.delete(id);
  }

  clear(): void {
    this.ids.clear();
  }

  /**
   * Of `ids`, the transcript's children about to be built, `placed` of which were placed before, leave all but
   * the last LAZY_KEEP new messages (`isNew`) to later slices when there are more than LAZY_MIN of them.
   * Returns the new messages left to build now (none: nothing was deferred).
   */
  defer(ids: readonly number[], placed: number, isNew: (id: number) => boolean): readonly number[] {
    // A turn adds a few: what was not placed last time bounds the new ones, without a look at each id.
    if (ids.length - placed <= LAZY_MIN) return [];
    const fresh = ids.filter((id) => !this.ids.has(id) && isNew(id));
    if (fresh.length <= LAZY_MIN) return [];
    for (const id of fresh.slice(0, -LAZY_KEEP)) this.ids.add(id);
    this.schedule();
    return fresh.slice(-LAZY_KEEP);
  }

  private schedule(): void {
    if (this.sliced || !this.ids.size) return;
    this.sliced = true;
    const next = () => {
      this.sliced = false;
      this.build(performance.now() + SLICE_MS);
      this.schedule();
    };
    if (typeof requestIdleCallback === "function") requestIdleCallback(next, { timeout: 50 });
    else setTimeout(next, 0);
  }
}
