// The client's copy of the server tree: applies protocol ops and records what changed.
import {
  APP, DEL, ERR, INS, isMap, MOV, REP, RUN, SET, SNAP, TXT,
  type Overlay, type Props, type Value, type WireNode,
} from "./protocol";

export interface NodeRec {
  id: number;
  kind: string;
  props: Props;
  children: number[];
  parent: number | null;
}

export type RunState = "idle" | "running" | "error";

/** What changed since the last `takeDirty()`; the renderer touches only these. */
export interface Dirty {
  /** The whole tree was replaced (SNAP, or REP of the root): rebuild from scratch. */
  reset: boolean;
  props: Set<number>;
  /** Per node in `props`: the lowest UTF-16 offset at which a string prop changed (0 for a SET). */
  textFrom: Map<number, number>;
  children: Set<number>;
  inserted: Set<number>;
  removed: Set<number>;
  run: boolean;
  overlay: boolean;
}

const EMPTY_ROOT: WireNode = [0, "root", {}, []];

function freshDirty(): Dirty {
  return {
    reset: false,
    props: new Set(),
    textFrom: new Map(),
    children: new Set(),
    inserted: new Set(),
    removed: new Set(),
    run: false,
    overlay: false,
  };
}

const isInt = (x: unknown): x is number => typeof x === "number" && Number.isInteger(x);
const isId = (x: unknown): x is number | null => x === null || isInt(x);

function isNode(x: unknown): x is WireNode {
  return (
    Array.isArray(x) &&
    x.length === 4 &&
    isInt(x[0]) &&
    typeof x[1] === "string" &&
    isMap(x[2]) &&
    Array.isArray(x[3]) &&
    x[3].every(isNode)
  );
}

/** The props a render makes; a message holding its text has them among its own (see `Store.text`). */
const TEXT_PROPS = ["html", "cuts"];

/** The id of the markdown record a message holding its text shows it in (ids from the server are positive). */
export const textId = (messageId: number): number => -messageId;

function isOverlay(x: unknown): x is Overlay {
  return isMap(x) && typeof x["message"] === "string";
}

export class Store {
  readonly nodes = new Map<number, NodeRec>();
  rootId = 0;
  run: RunState = "idle";
  overlay: Overlay | null = null;
  private dirty = freshDirty();

  constructor(initial: WireNode | null = null) {
    this.snap(initial ?? EMPTY_ROOT);
    this.dirty = freshDirty();
  }

  get(id: number): NodeRec | undefined {
    return this.nodes.get(id);
  }

  /** Return and clear the change record. */
  takeDirty(): Dirty {
    const d = this.dirty;
    this.dirty = freshDirty();
    return d;
  }

  /**
   * Apply a frame's ops in order. Malformed ops and ops on unknown ids are skipped, and so are the
   * connection's own ops (HELLO, NOTE): connection.ts handles those.
   */
  applyAll(ops: readonly unknown[]): void {
    for (const op of ops) this.apply(op);
  }

  apply(op: unknown): void {
    if (!Array.isArray(op)) return;
    const a: unknown[] = op;
    switch (a[0]) {
      case SNAP:
        if (isNode(a[1])) this.snap(a[1]);
        break;
      case RUN:
        this.setRun(a[1]);
        break;
      case INS:
        if (isInt(a[1]) && isId(a[2]) && isNode(a[3])) this.insert(a[1], a[2], a[3]);
        break;
      case SET:
        if (isInt(a[1]) && isMap(a[2])) this.set(a[1], a[2]);
        break;
      case APP:
        if (isInt(a[1]) && typeof a[2] === "string") this.append(a[1], a[2], a[3], a[4]);
        break;
      case TXT:
        if (isInt(a[1]) && typeof a[2] === "string") this.append(a[1], "html", a[2], 0);
        break;
      case DEL:
        if (isInt(a[1])) this.del(a[1]);
        break;
      case MOV:
        if (isInt(a[1]) && isInt(a[2]) && isId(a[3])) this.move(a[1], a[2], a[3]);
        break;
      case REP:
        if (isInt(a[1]) && isNode(a[2])) this.replace(a[1], a[2]);
        break;
      case ERR:
        if (a[1] === null || isOverlay(a[1])) {
          this.overlay = a[1];
          this.dirty.overlay = true;
        }
        break;
    }
  }

  /** The subtree at `id` in wire form (a pure copy), or null when `id` is unknown. */
  toWire(id: number = this.rootId): WireNode | null {
    const rec = this.nodes.get(id);
    if (!rec) return null;
    const kids: WireNode[] = [];
    for (const c of rec.children) {
      const w = this.toWire(c);
      if (w) kids.push(w);
    }
    return [rec.id, rec.kind, { ...rec.props }, kids];
  }

  // --- ops -------------------------------------------------------------------------------

  private snap(node: WireNode): void {
    this.nodes.clear();
    const { run, overlay } = this.dirty;
    this.dirty = { ...freshDirty(), reset: true, run, overlay };
    this.rootId = node[0];
    this.build(node, null);
  }

  private setRun(state: unknown): void {
    let run: RunState;
    if (state === "running") run = "running";
    else if (state === "done" || state === "stopped") run = "idle";
    else if (state === "error") run = "error";
    else return;
    this.run = run;
    this.dirty.run = true;
  }

  private insert(parentId: number, after: number | null, node: WireNode): void {
    if (!this.nodes.has(parentId)) return;
    this.build(node, parentId);
    const parent = this.nodes.get(parentId);
    if (!parent) return; // the new subtree displaced its own parent (a malformed id reuse)
    this.place(parent, after, node[0]);
  }

  private set(id: number, patch: Props): void {
    const rec = this.nodes.get(id);
    if (!rec) return;
    if (rec.kind === "message" && TEXT_PROPS.some((k) => k in patch)) {
      const text: Props = {};
      const own: Props = {};
      for (const k of Object.keys(patch)) (TEXT_PROPS.includes(k) ? text : own)[k] = patch[k] as Value;
      this.text(rec, text);
      if (!Object.keys(own).length) return;
      patch = own;
    }
    for (const k of Object.keys(patch)) {
      const v = patch[k];
      if (v === null || v === undefined) delete rec.props[k];
      else rec.props[k] = v;
    }
    this.dirty.props.add(id);
    this.dirty.textFrom.set(id, 0);
  }

  private append(id: number, prop: string, value: unknown, cut: unknown): void {
    const rec = this.nodes.get(id);
    if (!rec) return;
    if (rec.kind === "message" && TEXT_PROPS.includes(prop)) {
      if (this.nodes.has(textId(id))) this.append(textId(id), prop, value, cut);
      return;
    }
    const cur = rec.props[prop];
    if (typeof value === "string") {
      let base = typeof cur === "string" ? cur : "";
      const n = isInt(cut) && cut > 0 ? cut : 0;
      if (n) base = base.slice(0, Math.max(0, base.length - n));
      rec.props[prop] = base + value;
      const from = this.dirty.textFrom.get(id);
      this.dirty.textFrom.set(id, from === undefined ? base.length : Math.min(from, base.length));
    } else if (Array.isArray(value)) {
      const base: Value[] = Array.isArray(cur) ? cur : [];
      rec.props[prop] = base.concat(value as Value[]);
    } else {
      return;
    }
    this.dirty.props.add(id);
  }

  private del(id: number): void {
    const rec = this.nodes.get(id);
    if (!rec || rec.parent === null) return; // unknown, or the root: the root is only replaced
    this.remove(rec);
  }

  private move(id: number, parentId: number, after: number | null): void {
    const rec = this.nodes.get(id);
    const parent = this.nodes.get(parentId);
    if (!rec || !parent || rec.parent === null) return;
    // Refuse to move a node into its own subtree.
    for (let p: NodeRec | undefined = parent; p; p = p.parent === null ? undefined : this.nodes.get(p.parent)) {
      if (p.id === id) return;
    }
    const old = this.nodes.get(rec.parent);
    if (old) {
      detach(old.children, id);
      this.dirty.children.add(old.id);
    }
    rec.parent = parentId;
    this.place(parent, after, id);
  }

  private replace(id: number, node: WireNode): void {
    const rec = this.nodes.get(id);
    if (!rec) return;
    if (rec.parent === null) {
      this.snap(node);
      return;
    }
    const parent = this.nodes.get(rec.parent);
    if (!parent) return;
    const index = parent.children.lastIndexOf(id);
    this.remove(rec);
    this.build(node, parent.id);
    if (!this.nodes.has(parent.id)) return;
    parent.children.splice(Math.min(index, parent.children.length), 0, node[0]);
    this.dirty.children.add(parent.id);
  }

  // --- helpers ---------------------------------------------------------------------------

  /** Put `id` into `parent.children` right after `after` (first when null, last when not found). */
  private place(parent: NodeRec, after: number | null, id: number): void {
    const kids = parent.children;
    // First among a message's children from the server: after the text it holds, which the server has no id for.
    const first = kids[0] === textId(parent.id) ? 1 : 0;
    const i = after === null ? first : kids.lastIndexOf(after) + 1 || kids.length; // (a turn's: near the end)
    kids.splice(i, 0, id);
    this.dirty.children.add(parent.id);
  }

  /** Create records for a wire subtree. An id already in the tree is removed first. */
  private build(node: WireNode, parent: number | null): void {
    const [id, kind, props, children] = node;
    const existing = this.nodes.get(id);
    if (existing) this.remove(existing);
    const rec: NodeRec = { id, kind, props: { ...props }, children: [], parent };
    this.nodes.set(id, rec);
    this.dirty.inserted.add(id);
    if (kind === "message" && typeof props["html"] === "string") {
      const text: Props = {};
      for (const k of TEXT_PROPS) {
        if (k in rec.props) text[k] = rec.props[k] as Value;
        delete rec.props[k];
      }
      this.text(rec, text);
    }
    for (const child of children) {
      this.build(child, id);
      if (this.nodes.get(child[0])?.parent === id) rec.children.push(child[0]);
    }
  }

  /**
   * A message's text, sent among its own props (one node on the server: a markdown node per message is memory
   * per message there), applied to the markdown record it is shown in, its first child (`textId`): made when it
   * comes, dropped when it goes (`html` null), else patched. So the renderer shows every text the same way.
   */
  private text(rec: NodeRec, patch: Props): void {
    const id = textId(rec.id);
    const shown = this.nodes.get(id);
    if (patch["html"] === null) {
      if (shown) this.remove(shown);
    } else if (shown) {
      this.set(id, patch);
    } else if (typeof patch["html"] === "string") {
      const props: Props = {};
      for (const k of TEXT_PROPS) if (patch[k] !== null && patch[k] !== undefined) props[k] = patch[k] as Value;
      this.nodes.set(id, { id, kind: "markdown", props, children: [], parent: rec.id });
      this.dirty.inserted.add(id);
      rec.children.unshift(id);
      this.dirty.children.add(rec.id);
    }
  }

  /** Detach `rec` from its parent and drop its subtree. */
  private remove(rec: NodeRec): void {
    if (rec.parent !== null) {
      const parent = this.nodes.get(rec.parent);
      if (parent) {
        detach(parent.children, rec.id);
        this.dirty.children.add(parent.id);
      }
    }
    const stack = [rec.id];
    while (stack.length) {
      const id = stack.pop() as number;
      const r = this.nodes.get(id);
      if (!r) continue;
      this.nodes.delete(id);
      this.dirty.removed.add(id);
      this.dirty.inserted.delete(id);
      this.dirty.props.delete(id);
      this.dirty.textFrom.delete(id);
      this.dirty.children.delete(id);
      stack.push(...r.children);
    }
  }
}

/**
 * Take `id` out of `kids`, looked for from the end: what a turn moves or removes is near the end of a long
 * transcript (a copy of its 10,000 ids, twice a turn, was most of applying a turn's frame there).
 */
function detach(kids: number[], id: number): void {
  const i = kids.lastIndexOf(id);
  if (i >= 0) kids.splice(i, 1);
}
