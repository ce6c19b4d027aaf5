// Keyed DOM patcher: one view per node id; a flush touches only the nodes the store marked dirty.
import type { Dirty, Store } from "./store";
import { createView, type View } from "./views";

export class Renderer {
  private readonly views = new Map<number, View>();
  /** Ids of rendered chat_input nodes, in creation order. */
  readonly inputs = new Set<number>();
  /** Set when a chat_input appeared, vanished or changed; the app clears it. */
  inputsChanged = false;

  constructor(
    private readonly store: Store,
    private readonly host: HTMLElement,
  ) {}

  flush(d: Dirty): void {
    if (d.reset) {
      this.views.clear();
      this.inputs.clear();
      this.inputsChanged = true;
      const root = this.ensure(this.store.rootId);
      this.host.replaceChildren(...(root ? [root.el] : []));
      return;
    }
    for (const id of d.removed) {
      const v = this.views.get(id);
      if (!v) continue;
      v.el.remove();
      this.views.delete(id);
      if (this.inputs.delete(id)) this.inputsChanged = true;
    }
    // Props first: views created below by `ensure` read the current props anyway.
    for (const id of d.props) {
      const v = this.views.get(id);
      const rec = this.store.get(id);
      if (!v || !rec) continue;
      v.update(rec.props, d.textFrom.get(id));
      if (v.kind === "chat_input") this.inputsChanged = true;
    }
    for (const id of d.children) {
      const v = this.views.get(id);
      const rec = this.store.get(id);
      if (v?.body && rec) this.reconcile(v.body, rec.children);
    }
  }

  /** Make `body`'s element children exactly the views of `ids`, in order, moving as little as possible. */
  private reconcile(body: HTMLElement, ids: readonly number[]): void {
    let cursor = body.firstChild;
    for (const id of ids) {
      const v = this.ensure(id);
      if (!v) continue;
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
    const v = createView(rec.kind);
    this.views.set(id, v);
    v.update(rec.props);
    if (v.kind === "chat_input") {
      this.inputs.add(id);
      this.inputsChanged = true;
    }
    if (v.body) {
      for (const c of rec.children) {
        const cv = this.ensure(c);
        if (cv) v.body.append(cv.el);
      }
    }
    return v;
  }
}
