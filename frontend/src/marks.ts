// The flags on the transcript's last messages: which is the last one, the last assistant one, and the one that
// shows the streaming caret while a run goes.
import type { View } from "./view";

/** Which messages carry the flags now; `mark` and `setRunning` touch only those whose flags change. */
export class Marks {
  /** The last message and the last assistant message, as last flagged. */
  private marked: [number | null, number | null] = [null, null];
  /** Whether a run is going, and the message that shows it (the last one then). */
  private running = false;
  private caret: number | null = null;

  /** `view(id)`: the rendered view of a node, if any. */
  constructor(private readonly view: (id: number) => View | undefined) {}

  /** Forget every flag (the views were rebuilt). */
  clear(): void {
    this.marked = [null, null];
    this.caret = null;
  }

  /**
   * Tell messages among `kids` (the transcript's children) whether they are the last one, and the last
   * assistant one (retry/undo go there). Only those two can change on a turn, so only the (at most four)
   * messages whose flags change are touched: walking every message of a long transcript each turn showed up in
   * the browser benchmark.
   */
  mark(kids: readonly number[]): void {
    let last: number | null = null;
    let lastA: number | null = null;
    for (let i = kids.length - 1; i >= 0 && (last === null || lastA === null); i--) {
      const id = kids[i] as number;
      const v = this.view(id);
      if (v?.kind !== "message") continue;
      if (last === null) last = id;
      if (lastA === null && v.el.dataset["role"] === "assistant") lastA = id;
    }
    const touched = new Set([this.marked[0], this.marked[1], last, lastA]);
    for (const id of touched) {
      if (id === null) continue;
      this.view(id)?.mark?.(id === last, id === lastA);
    }
    this.marked = [last, lastA];
    this.markCaret();
  }

  /**
   * A run is going (`on`), as the page shows it: the last message shows a caret while it is. The flag
   * (`data-running`) is on that one message, not on the app root, so that a run starting or ending re-styles
   * one message.
   */
  setRunning(on: boolean): void {
    if (on === this.running) return;
    this.running = on;
    this.markCaret();
  }

  private markCaret(): void {
    const id = this.running ? this.marked[0] : null;
    if (id === this.caret) return;
    if (this.caret !== null) this.view(this.caret)?.el.removeAttribute("data-running");
    if (id !== null) this.view(id)?.el.setAttribute("data-running", "");
    this.caret = id;
  }
}
