// Keyed DOM patcher: one view per node id; a flush touches only the nodes the store marked dirty.
import { groupFlags } from "./format";
import type { Dirty, Store } from "./store";
import type { View } from "./view";
import { createView, opts } from "./views";

/** Kinds that render nothing in place: they neither join nor break a group of messages. */
const INVISIBLE = new Set(["chat", "chat_input", "sidebar"]);
/**
 * Kinds with no element in the transcript at all (they drive the composer and the options). Keeping them
 * out of the DOM matters: the chat input moves below the newest messages on every turn, and moving an
 * element among a long transcript's messages makes the browser re-style all of them.
 */
const PLACELESS = new Set(["chat", "chat_input"]);

export class Renderer {
  private readonly views = new Map<number, View>();
  /** Ids of rendered chat_input nodes, in creation order. */
  readonly inputs = new Set<number>();
  /** Set when a chat_input appeared, vanished or changed; the app clears it. */
  inputsChanged = false;
  /** Ids of rendered chat (display options) nodes, in creation order. */
  readonly chats = new Set<number>();
  /** Set when a chat node appeared, vanished or changed; the app clears it. */
  chatsChanged = false;
  /** Ids of rendered sidebar nodes, in creation order; the flag as for chats. */
  readonly sidebars = new Set<number>();
  sidebarsChanged = false;
  /** Set when messages may have been added, removed, moved or changed role; the app clears it. */
  messagesChanged = false;
  /** Ids of rendered message and title nodes. */
  readonly messages = new Set<number>();
  readonly titles = new Set<number>();
  /** The messages markLast last flagged: [last, last assistant]. */
  private marked: [number | null, number | null] = [null, null];
  /** Containers whose message grouping must be recomputed at the end of this flush. */
  private regroup = new Set<number>();

  constructor(
    private readonly store: Store,
    private readonly host: HTMLElement,
  ) {}

  flush(d: Dirty): void {
    if (d.reset) {
      this.views.clear();
      for (const s of [this.inputs, this.chats, this.sidebars, this.messages, this.titles]) s.clear();
      this.inputsChanged = this.chatsChanged = this.sidebarsChanged = this.messagesChanged = true;
      const root = this.ensure(this.store.rootId);
      this.host.replaceChildren(...(root ? [root.el] : []));
    } else {
      for (const id of d.removed) {
        const v = this.views.get(id);
        if (!v) continue;
        v.el.remove();
        this.views.delete(id);
        if (this.inputs.delete(id)) this.inputsChanged = true;
        if (this.chats.delete(id)) this.chatsChanged = true;
        if (this.sidebars.delete(id)) this.sidebarsChanged = true;
        if (this.messages.delete(id)) this.messagesChanged = true;
        this.titles.delete(id);
      }
      // Props first: views created below by `ensure` read the current props anyway.
      for (const id of d.props) {
        const v = this.views.get(id);
        const rec = this.store.get(id);
        if (!v || !rec) continue;
        v.update(rec.props, d.textFrom.get(id));
        if (v.kind === "chat_input") this.inputsChanged = true;
        else if (v.kind === "chat") this.chatsChanged = true;
        else if (v.kind === "message" && rec.parent !== null) {
          this.regroup.add(rec.parent);
          this.messagesChanged = true;
        }
      }
      for (const id of d.children) {
        const v = this.views.get(id);
        const rec = this.store.get(id);
        if (v?.body && rec) {
          this.reconcile(v.body, rec.children);
          this.regroup.add(id);
          this.messagesChanged = true;
        }
      }
    }
    for (const id of this.regroup) this.group(id);
    this.regroup.clear();
  }

  view(id: number): View | undefined {
    return this.views.get(id);
  }

  /** The transcript's message elements in document order. */
  messageEls(): HTMLElement[] {
    const mine = new Set<Element>();
    for (const id of this.messages) {
      const el = this.views.get(id)?.el;
      if (el) mine.add(el);
    }
    return [...this.host.querySelectorAll<HTMLElement>(".rc-message")].filter((el) => mine.has(el));
  }

  /**
   * Tell messages whether they are the last one, and the last assistant one (retry/undo go there). Only
   * those two can change on a turn, so only the (at most four) messages whose flags change are touched:
   * walking every message of a long transcript each turn showed up in the browser benchmark.
   */
  markLast(): void {
    let last: number | null = null;
    let lastA: number | null = null;
    const root = this.store.get(this.store.rootId);
    const kids = root ? root.children : [];
    for (let i = kids.length - 1; i >= 0 && (last === null || lastA === null); i--) {
      const id = kids[i] as number;
      const v = this.views.get(id);
      if (v?.kind !== "message") continue;
      if (last === null) last = id;
      if (lastA === null && v.el.dataset["role"] === "assistant") lastA = id;
    }
    const touched = new Set([this.marked[0], this.marked[1], last, lastA]);
    for (const id of touched) {
      if (id === null) continue;
      const v = this.views.get(id);
      v?.mark?.(id === last, id === lastA);
    }
    this.marked = [last, lastA];
  }

  /** Re-apply the display options everywhere (the chat node changed). */
  refresh(): void {
    for (const [id, v] of this.views) {
      v.refresh?.();
      if (v.body) this.group(id);
    }
  }

  /** Mark consecutive same-role messages among `id`'s children: `rc-cont` continues, `rc-more` is continued. */
  private group(id: number): void {
    const rec = this.store.get(id);
    if (!rec) return;
    const vs: View[] = [];
    for (const c of rec.children) {
      const v = this.views.get(c);
      if (v && !INVISIBLE.has(v.kind)) vs.push(v);
    }
    const flags = groupFlags(vs.map((v) => (v.kind === "message" && opts.group ? (v.el.dataset["role"] ?? null) : null)));
    vs.forEach((v, i) => {
      if (v.kind !== "message") return;
      const f = flags[i];
      v.el.classList.toggle("rc-cont", !!f?.cont);
      v.el.classList.toggle("rc-more", !!f?.more);
    });
  }

  /** Make `body`'s element children exactly the views of `ids`, in order, moving as little as possible. */
  private reconcile(body: HTMLElement, ids: readonly number[]): void {
    let cursor = body.firstChild;
    for (const id of ids) {
      const v = this.ensure(id);
      if (!v || PLACELESS.has(v.kind)) continue;
      if (v.el === cursor) cursor = cursor.nextSibling;
      else body.insertBefore(v.el, cursor);
    }
    while (cursor) {
      const next: ChildNode | null = cursor.nextSibling;
      cursor.remove(); // detached only: a moved node's view is reinserted by its new parent
      cursor = next;
    }
  }

  /** The view for `id`, created with its whole subtree when missing. */
  private ensure(id: number): View | null {
    const existing = this.views.get(id);
    if (existing) return existing;
    const rec = this.store.get(id);
    if (!rec) return null;
    const v = createView(rec.kind, id);
    this.views.set(id, v);
    v.update(rec.props);
    if (v.kind === "chat_input") {
      this.inputs.add(id);
      this.inputsChanged = true;
    } else if (v.kind === "chat") {
      this.chats.add(id);
      this.chatsChanged = true;
    } else if (v.kind === "sidebar") {
      this.sidebars.add(id);
      this.sidebarsChanged = true;
    } else if (v.kind === "message") {
      this.messages.add(id);
      this.messagesChanged = true;
    }
    else if (v.kind === "title") this.titles.add(id);
    if (v.body) {
      for (const c of rec.children) {
        const cv = this.ensure(c);
        if (cv && !PLACELESS.has(cv.kind)) v.body.append(cv.el);
      }
      this.regroup.add(id);
    }
    return v;
  }
}
