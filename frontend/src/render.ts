// Keyed DOM patcher: one view per node id; a render touches only the nodes the store marked dirty, and says
// what changed that the page around the transcript follows.
import { Backlog } from "./backlog";
import { type Changes, lastInput, lastList, lastPanel, lastTitle, type RendererHooks, unchanged } from "./changes";
import { type ChatOpts, chatOpts } from "./chatopts";
import { Chunks, sealable } from "./chunks";
import { type Range, regroup } from "./grouping";
import { Marks } from "./marks";
import type { Emit, Props } from "./protocol";
import type { Dirty, Store } from "./store";
import type { View } from "./view";
import { createView } from "./views";

/** Kinds that render nothing in place: they neither join nor break a group of messages. */
const INVISIBLE = new Set(["chat", "chat_input", "sidebar", "conversations", "title"]);
/**
 * Kinds with no element in the transcript at all (they drive the composer and the options). Keeping them
 * out of the DOM matters: the chat input moves below the newest messages on every turn, and moving an
 * element among a long transcript's messages makes the browser re-style all of them. The title shows in the
 * page's bar above the transcript, so that a chat of a fixed height never scrolls it away.
 */
const PLACELESS = new Set(["chat", "chat_input", "conversations", "title"]);
/**
 * Of a long transcript opening, the newest FRESH messages are never skipped off screen: a skipped element is
 * laid out only at the next frame, and its text reads empty until then (see `settling`).
 */
const FRESH = 10;

export class Renderer {
  private readonly views = new Map<number, View>();
  /** What the views are built with; `opts` follows the (last) chat node. */
  private readonly ctx: { opts: ChatOpts; emit: Emit; isBusy(): boolean };
  /** Ids of rendered chat_input, chat (display options), sidebar and conversations nodes, in creation order. */
  private readonly inputs = new Set<number>();
  private readonly chats = new Set<number>();
  private readonly sidebars = new Set<number>();
  private readonly lists = new Set<number>();
  /** Ids of rendered message and title nodes. */
  private readonly messages = new Set<number>();
  private readonly titles = new Set<number>();
  /** Ids of rendered queue nodes (the run's place in a line). */
  private readonly waits = new Set<number>();
  /** What changed since the last render() returned. */
  private changed = unchanged();
  /** The chat options and node last applied (empty: none yet, so the first render applies the defaults). */
  private chatKey = "";
  /** The flags on the last messages (see marks.ts). */
  private readonly marks = new Marks((id) => this.views.get(id));
  /**
   * Containers whose message grouping must be recomputed at the end of this flush, with the index range of
   * their children that changed (null: all of them).
   */
  private readonly regroup = new Map<number, Range | null>();
  /** Per container, the child ids its body was last made to hold: a turn diffs against it (see `reconcile`). */
  private readonly placed = new Map<number, readonly number[]>();
  /** The views this flush removed: one may come back under the same id (REP of a new kind), so it is placed anew. */
  private gone: ReadonlySet<number> = new Set();
  /** The transcript's older children, sealed in chunks (see chunks.ts). */
  private readonly chunks = new Chunks();
  /** What sealing reads: where a child's element is, and whether a chunk may hold it. */
  private readonly placement = {
    el: (id: number) => this.placedEl(id),
    sealable: (id: number) => {
      const kind = this.views.get(id)?.kind ?? "";
      return sealable(kind, INVISIBLE.has(kind));
    },
    waiting: (id: number) => this.later.has(id),
  };
  /**
   * Messages of a long transcript opening that are built now but are not among its newest FRESH: marked
   * `data-settled` as they are built, like the older ones built later (skipped off screen, see styles.css).
   */
  private readonly settling = new Set<number>();
  /**
   * Some `data-settled` messages may stand after the last chunk, sealed into none yet. Once none waits to be
   * built, they lose the mark (see seal): near the end of the transcript, each turn's scroll moved some of them
   * in or out of the screen's reach, and `content-visibility: auto` styled them anew each time.
   */
  private looseSettled = false;
  /** Older messages of a long transcript not built yet (see backlog.ts). */
  private readonly later = new Backlog((deadline) => this.buildLater(deadline));

  /** Builds the store's current tree into `host` at once; the first render() reports all of it. */
  constructor(
    private readonly store: Store,
    private readonly host: HTMLElement,
    hooks: RendererHooks,
  ) {
    this.ctx = { opts: chatOpts(), emit: hooks.emit, isBusy: () => hooks.isBusy() };
    this.flush({ ...store.takeDirty(), reset: true });
  }

  /** Apply what the store changed since the last render to the DOM, and say what the page should follow. */
  render(): Changes {
    this.flush(this.store.takeDirty());
    const c = this.changed;
    this.changed = unchanged();
    const out: Changes = { messages: c.messages };
    const nodes = { node: (id: number) => this.store.get(id), view: (id: number) => this.views.get(id) };
    if (c.inputs) out.input = lastInput(this.inputs, nodes);
    if (c.chats) {
      const chat = this.applyChat();
      if (chat) out.chat = chat;
    }
    if (c.sidebars) out.sidebar = lastPanel(this.sidebars, nodes);
    if (c.titles) out.title = lastTitle(this.titles, nodes);
    if (c.lists) out.conversations = lastList(this.lists, nodes);
    if (c.messages) {
      this.marks.mark(this.store.get(this.store.rootId)?.children ?? []);
    }
    if (c.run) out.run = this.store.run;
    if (c.waits) out.waiting = this.waits.size > 0;
    if (c.overlay) out.overlay = this.store.overlay;
    return out;
  }

  /** A run is going (`on`), as the page shows it: see marks.ts. */
  setRunning(on: boolean): void {
    this.marks.setRunning(on);
  }

  /** Whether the transcript has messages. */
  get hasMessages(): boolean {
    return this.messages.size > 0;
  }

  /** The transcript's message elements in document order (every one: any still waiting is built now). */
  messageEls(): HTMLElement[] {
    this.settle();
    const mine = new Set<Element>();
    for (const id of this.messages) {
      const el = this.views.get(id)?.el;
      if (el) mine.add(el);
    }
    const body = this.views.get(this.store.rootId)?.body; // in the transcript's shadow root (shadow.ts)
    return body ? [...body.querySelectorAll<HTMLElement>(".rc-message")].filter((el) => mine.has(el)) : [];
  }

  private flush(d: Dirty): void {
    const changed = this.changed;
    if (d.run) changed.run = true;
    if (d.overlay) changed.overlay = true;
    if (d.reset) {
      this.views.clear();
      this.later.clear();
      this.settling.clear();
      this.placed.clear();
      this.regroup.clear();
      this.marks.clear();
      this.chunks.clear();
      for (const s of [this.inputs, this.chats, this.sidebars, this.lists, this.messages, this.titles, this.waits]) {
        s.clear();
      }
      changed.inputs = changed.chats = changed.sidebars = changed.lists = changed.messages = true;
      changed.waits = changed.titles = true;
      const root = this.ensure(this.store.rootId);
      this.host.replaceChildren(...(root ? [root.el] : []));
    } else {
      this.gone = d.removed;
      for (const id of d.removed) {
        this.later.take(id);
        this.settling.delete(id);
        const v = this.views.get(id);
        if (!v) continue;
        v.el.remove();
        this.views.delete(id);
        this.placed.delete(id);
        if (this.inputs.delete(id)) changed.inputs = true;
        if (this.chats.delete(id)) changed.chats = true;
        if (this.sidebars.delete(id)) changed.sidebars = true;
        if (this.lists.delete(id)) changed.lists = true;
        if (this.messages.delete(id)) changed.messages = true;
        if (this.waits.delete(id)) changed.waits = true;
        if (this.titles.delete(id)) changed.titles = true;
      }
      // Props first: views created below by `ensure` read the current props anyway.
      for (const id of d.props) {
        const v = this.views.get(id);
        const rec = this.store.get(id);
        if (!v || !rec) continue;
        const role = v.el.dataset["role"];
        v.update(rec.props, d.textFrom.get(id));
        if (v.kind === "chat_input") changed.inputs = true;
        else if (v.kind === "chat") changed.chats = true;
        else if (v.kind === "conversations") changed.lists = true;
        else if (v.kind === "title") changed.titles = true;
        else if (v.kind === "message" && rec.parent !== null) {
          // Its role may have changed: only it and its neighbours can group differently.
          const at = this.store.get(rec.parent)?.children.lastIndexOf(id) ?? -1;
          if (at >= 0) this.touch(rec.parent, [at, at]);
          // A chunk ends before a turn's first message: a role changed there may move where that is.
          if (rec.parent === this.store.rootId && at <= this.chunks.reach && v.el.dataset["role"] !== role) {
            this.chunks.unseal();
          }
          changed.messages = true;
        }
      }
      for (const id of d.children) {
        const v = this.views.get(id);
        const rec = this.store.get(id);
        if (v?.body && rec) {
          this.deferOlder(id, rec.children);
          this.touch(id, this.reconcile(id, v.body, rec.children));
          changed.messages = true;
        }
      }
    }
    for (const [id, range] of this.regroup) this.group(id, range);
    this.regroup.clear();
    this.gone = new Set();
    this.seal();
  }

  /** Seal the transcript's older children into chunks (those waiting to be built too: see buildLater). */
  private seal(): void {
    const rootId = this.store.rootId;
    const kids = this.store.get(rootId)?.children;
    const body = this.views.get(rootId)?.body;
    if (!kids || !body) return;
    this.chunks.seal(body, kids, this.placement);
    if (!this.looseSettled || this.later.size) return;
    this.looseSettled = false;
    for (let el = this.chunks.after(body); el; el = el.nextSibling) {
      if (el.nodeType === 1) (el as Element).removeAttribute("data-settled");
    }
  }

  /** Mark an older message of a long transcript opening: skipped off screen until sealed (styles.css). */
  private markSettled(el: HTMLElement): void {
    el.setAttribute("data-settled", "");
    this.looseSettled = true;
  }

  /** Regroup `range` of `id`'s children (null: all of them) when this flush ends. */
  private touch(id: number, range: Range | null): void {
    if (this.regroup.has(id)) {
      const had = this.regroup.get(id) ?? null;
      range = had && range ? [Math.min(had[0], range[0]), Math.max(had[1], range[1])] : null;
    }
    this.regroup.set(id, range);
  }

  /** Take the (last) chat node's display options; when they changed, re-apply them to every view. */
  private applyChat(): { id: number | null; opts: ChatOpts } | null {
    let props: Props | undefined;
    let chatId: number | null = null;
    for (const id of this.chats) {
      const p = this.store.get(id)?.props;
      if (p) [props, chatId] = [p, id];
    }
    const opts = chatOpts(props);
    const key = JSON.stringify([opts, chatId]);
    if (key === this.chatKey) return null;
    this.chatKey = key;
    this.ctx.opts = opts;
    this.chunks.unseal(); // the grouping may change where turns start
    for (const [id, v] of this.views) {
      v.refresh?.();
      if (v.body) this.group(id, null);
    }
    this.seal();
    return { id: chatId, opts };
  }

  /** Regroup `range` of `id`'s children (null: all of them): see grouping.ts. */
  private group(id: number, range: Range | null): void {
    const kids = this.store.get(id)?.children;
    if (!kids) return;
    const shown = (c: number): View | null => {
      const v = this.views.get(c);
      return v && !INVISIBLE.has(v.kind) ? v : null;
    };
    regroup(kids, range, shown, this.ctx.opts.group);
  }

  /** Build every message still waiting (see backlog.ts) now. */
  settle(): void {
    this.buildLater(Infinity);
  }

  /** Leave the older of many new messages of the transcript to later slices (see backlog.ts). */
  private deferOlder(parent: number, ids: readonly number[]): void {
    if (parent !== this.store.rootId) return;
    const isNew = (id: number) => !this.views.has(id) && this.store.get(id)?.kind === "message";
    const now = this.later.defer(ids, this.placed.get(parent)?.length ?? 0, isNew);
    for (const id of now.slice(0, -FRESH)) this.settling.add(id);
  }

  /**
   * Build waiting messages, the oldest first, until `deadline` (performance.now()), each put where it goes: in
   * the gap chunk standing for it, since sealing goes on while some wait (it passes over them: chunks.ts), so the
   * transcript keeps few children and a slice costs the same with 100 or 10,000 still to come.
   */
  private buildLater(deadline: number): void {
    const rootId = this.store.rootId;
    const root = this.store.get(rootId);
    const body = this.views.get(rootId)?.body;
    if (!this.later.size || !root || !body) {
      this.later.clear();
      return;
    }
    const kids = root.children;
    let first = -1;
    let last = -1;
    let i = 0;
    for (; i < kids.length && this.later.size; i++) {
      const id = kids[i] as number;
      if (!this.later.take(id)) continue;
      const v = this.ensure(id);
      if (!v || PLACELESS.has(v.kind)) continue;
      // Skipped off screen until sealed into a chunk (styles.css): an old message, not one a reader waits for.
      this.markSettled(v.el);
      this.placeAmong(kids, i, v.el, body);
      if (first < 0) first = i;
      last = i;
      if (performance.now() >= deadline) break;
    }
    if (i >= kids.length) this.later.clear(); // what is left is no longer in the transcript
    if (first >= 0) this.group(rootId, [first, last]);
    this.seal();
  }

  /**
   * Put `el`, the element of `kids[i]`, in the gap chunk that stands for it (see Chunks.hold), else after the
   * nearest placed element before it (or what holds that one in the body: a chunk), else before the next one.
   */
  private placeAmong(kids: readonly number[], i: number, el: HTMLElement, body: HTMLElement): void {
    if (this.chunks.hold(i, el)) return;
    for (let k = i - 1; k >= 0; k--) {
      let prev: Element | null = this.placedEl(kids[k]);
      if (!prev) continue;
      while (prev.parentElement && prev.parentElement !== body) prev = prev.parentElement;
      return prev.after(el);
    }
    for (let k = i + 1; k < kids.length; k++) {
      const next = this.placedEl(kids[k]);
      if (next) return next.before(el);
    }
    body.append(el);
  }

  /** The element `id` has in its parent's body, if it has one there now. */
  private placedEl(id: number | undefined): HTMLElement | null {
    const v = id === undefined || this.later.has(id) ? undefined : this.views.get(id);
    return v && !PLACELESS.has(v.kind) ? v.el : null;
  }

  /**
   * Make `body` (container `id`'s) hold exactly the elements of `ids` (but those waiting), moving as little as
   * possible. Only the run of ids that differs from what the body was last made to hold is walked: the ids
   * before and after it (a turn: all the earlier messages) are compared as numbers, their elements left alone.
   * Returns that run's index range in `ids` (empty, [i, i - 1], when only removals happened at i).
   */
  private reconcile(id: number, body: HTMLElement, ids: readonly number[]): Range {
    const prev = this.placed.get(id) ?? [];
    const max = Math.min(prev.length, ids.length);
    const same = (x: number | undefined, y: number | undefined) => x === y && !this.gone.has(x as number);
    let a = 0;
    while (a < max && same(prev[a], ids[a])) a++;
    let b = 0;
    while (b < max - a && same(prev[prev.length - 1 - b], ids[ids.length - 1 - b])) b++;
    const root = id === this.store.rootId;
    if (root && a <= this.chunks.reach) this.chunks.unseal(); // the change reaches into the chunks (or just after)
    // Where the run starts (after the last element before it, or the last chunk) and the first element after it.
    const floor = root ? this.chunks.sealed : 0;
    let cursor: ChildNode | null = root ? this.chunks.after(body) : body.firstChild;
    for (let i = a - 1; i >= floor; i--) {
      const el = this.placedEl(ids[i]);
      if (!el) continue;
      cursor = el.nextSibling;
      if (el.parentNode !== body) a = b = 0; // not as last placed: walk them all
      break;
    }
    let stop: ChildNode | null = null;
    for (let i = ids.length - b; i < ids.length && b; i++) {
      const el = this.placedEl(ids[i]);
      if (!el) continue;
      stop = el;
      if (el.parentNode !== body) a = b = 0;
      break;
    }
    if (!a && !b) {
      if (root) this.chunks.unseal();
      [cursor, stop] = [body.firstChild, null];
    }
    for (let i = a; i < ids.length - b; i++) {
      const c = ids[i] as number;
      if (this.later.has(c)) continue;
      const v = this.ensure(c);
      if (!v || PLACELESS.has(v.kind)) continue;
      if (v.el === cursor) cursor = cursor.nextSibling;
      else body.insertBefore(v.el, cursor);
    }
    while (cursor && cursor !== stop) {
      const next: ChildNode | null = cursor.nextSibling;
      cursor.remove(); // detached only: a moved node's view is reinserted by its new parent
      cursor = next;
    }
    this.placed.set(id, ids.slice());
    return [a, ids.length - b - 1];
  }

  /** The view for `id`, created with its whole subtree when missing. */
  private ensure(id: number): View | null {
    const existing = this.views.get(id);
    if (existing) return existing;
    const rec = this.store.get(id);
    if (!rec) return null;
    const v = createView(rec.kind, id, this.ctx);
    this.views.set(id, v);
    if (this.settling.delete(id)) this.markSettled(v.el);
    v.update(rec.props);
    if (v.kind === "chat_input") {
      this.inputs.add(id);
      this.changed.inputs = true;
    } else if (v.kind === "chat") {
      this.chats.add(id);
      this.changed.chats = true;
    } else if (v.kind === "sidebar") {
      this.sidebars.add(id);
      this.changed.sidebars = true;
    } else if (v.kind === "conversations") {
      this.lists.add(id);
      this.changed.lists = true;
    } else if (v.kind === "message") {
      this.messages.add(id);
      this.changed.messages = true;
    } else if (v.kind === "queue") {
      this.waits.add(id);
      this.changed.waits = true;
    } else if (v.kind === "title") {
      this.titles.add(id);
      this.changed.titles = true;
    }
    if (v.body) {
      this.deferOlder(id, rec.children);
      for (const c of rec.children) {
        if (this.later.has(c)) continue;
        const cv = this.ensure(c);
        if (cv && !PLACELESS.has(cv.kind)) v.body.append(cv.el);
      }
      this.placed.set(id, rec.children.slice());
      this.touch(id, null);
    }
    return v;
  }
}

export type { Changes, RendererHooks };
