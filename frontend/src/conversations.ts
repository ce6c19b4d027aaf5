// The conversation list (kind "conversations"): new chat, search, the items with rename, export and delete, paging,
// undo.
import { arrange, h, quietForm } from "./dom";
import { icon } from "./icons";
import { ageGroup, exportPath, type Item, type Listing, listing, pathOf, titleOf } from "./listing";
import type { Props } from "./protocol";
import type { View, ViewContext } from "./view";

/** Typing pauses this long before a search is sent. */
export const SEARCH_MS = 200;
/** The undo of a delete is offered this long. */
export const UNDO_MS = 6000;
/** The next page is asked for when the list is scrolled this close (px) to its end. */
const NEAR_END = 160;

/** One item's elements. */
interface Row {
  li: HTMLLIElement;
  link: HTMLAnchorElement;
  label: HTMLElement;
  acts: HTMLElement;
  /** The export menu: the whole conversation as JSON, the branch on screen as Markdown. */
  menu: HTMLElement;
}

/** The node is a hidden anchor in the tree; `panel` is what the app mounts in the side panel. */
class ConversationList implements View {
  readonly kind = "conversations";
  readonly el = h("span");
  readonly body = null;
  readonly panel = h("nav", "rc-convs", { "data-testid": "conversations", "aria-label": "Conversations" });
  private readonly search = h("input", "rc-field rc-conv-search", {
    type: "search",
    "data-testid": "conversation-search",
    placeholder: "Search chats",
    "aria-label": "Search chats",
    autocomplete: "off",
  });
  private readonly list = h("ul", "rc-conv-list");
  private readonly empty = h("p", "rc-conv-empty");
  private readonly undoBar = h("div", "rc-undo", { role: "status" });
  private readonly undoText = h("span", "rc-undo-text");
  private readonly rows = new Map<string, Row>();
  private readonly headings = new Map<string, HTMLElement>();
  private shown: Listing = listing({});
  /** The search last sent or shown: typing sends only a different one. */
  private sentQuery = "";
  private searchTimer: ReturnType<typeof setTimeout> | null = null;
  /** The deleted conversation whose undo was offered, and when the offer ends. */
  private offered: string | null = null;
  private undoTimer: ReturnType<typeof setTimeout> | null = null;
  /** The page the next page was asked after (items count and last id): asked once per page. */
  private askedAfter = "";
  /** The item being renamed, and its input. */
  private editing: { id: string; input: HTMLInputElement } | null = null;

  constructor(
    private readonly id: number,
    private readonly ctx: ViewContext,
  ) {
    this.el.hidden = true;
    const fresh = h("button", "rc-btn rc-new-conv", {
      type: "button",
      "data-testid": "new-conversation",
      "data-closes-side": "",
    });
    fresh.append(icon("plus"));
    fresh.append("New chat");
    fresh.addEventListener("click", () => ctx.emit(id, "conversation_new", null));
    const top = h("div", "rc-convs-top");
    top.append(fresh);
    const undo = h("button", "rc-btn rc-undo-btn", { type: "button", "data-testid": "undo-delete" }, "Undo");
    undo.addEventListener("click", () => {
      if (this.offered !== null) ctx.emit(id, "conversation_restore", this.offered);
      this.hideUndo();
    });
    this.undoBar.append(this.undoText, undo);
    this.panel.append(top, quietForm("rc-quiet", this.search), this.list, this.empty);
    this.search.addEventListener("input", () => this.searchSoon());
    this.search.addEventListener("keydown", (e) => this.searchKey(e as KeyboardEvent));
    this.list.addEventListener("click", (e) => this.clicked(e as MouseEvent));
    this.list.addEventListener("scroll", () => this.maybeMore(), { passive: true });
    // Opening a closed panel or resizing it can bring the end of a short list into view.
    if (typeof ResizeObserver !== "undefined") new ResizeObserver(() => this.maybeMore()).observe(this.list);
  }

  update(p: Props): void {
    const l = listing(p);
    const prev = this.shown;
    this.shown = l;
    if (l.query !== prev.query) {
      this.sentQuery = l.query;
      if (document.activeElement !== this.search) this.search.value = l.query;
    }
    this.renderItems(l);
    this.empty.hidden = l.items.length > 0;
    this.empty.textContent = l.query ? `No chats match “${l.query}”` : "No chats yet";
    if (l.deleted === null) this.hideUndo();
    else if (l.deleted.id !== this.offered) this.showUndo(l.deleted.id, l.deleted.title);
    this.maybeMore();
  }

  private renderItems(l: Listing): void {
    const want: HTMLElement[] = [];
    const now = new Date();
    let group = "";
    for (const it of l.items) {
      // Search results may be ranked rather than dated: no headings then.
      const g = l.query ? "" : ageGroup(it.updatedAt > 1e11 ? it.updatedAt / 1000 : it.updatedAt, now);
      if (g && g !== group) want.push(this.heading(g));
      group = g;
      want.push(this.row(it, it.id === l.active).li);
    }
    for (const [id] of this.rows) {
      if (!l.items.some((it) => it.id === id)) {
        this.rows.delete(id);
        if (this.editing?.id === id) this.editing = null;
      }
    }
    arrange(this.list, want);
  }

  private heading(label: string): HTMLElement {
    let el = this.headings.get(label);
    if (!el) {
      el = h("li", "rc-conv-group", { role: "presentation" }, label);
      this.headings.set(label, el);
    }
    return el;
  }

  /** The item's row, made or patched (its title stays as typed while it is being renamed). */
  private row(it: Item, active: boolean): Row {
    let r = this.rows.get(it.id);
    if (!r) {
      const li = h("li", "rc-conv", { "data-testid": "conversation", "data-id": it.id });
      const link = h("a", "rc-conv-link", { href: pathOf(it.id), "data-closes-side": "" });
      const label = h("span", "rc-conv-title");
      link.append(label);
      const acts = h("span", "rc-conv-acts");
      for (const [testid, name, shape] of [
        ["conversation-rename", "Rename", "edit"],
        ["export", "Export", "download"],
        ["conversation-delete", "Delete", "trash"],
      ] as const) {
        const b = h("button", "rc-act", { type: "button", "data-testid": testid, "aria-label": name, title: name });
        b.append(icon(shape));
        acts.append(b);
      }
      // Plain links: the browser downloads them with the user's cookie, the server checks the owner.
      const menu = h("span", "rc-menu rc-conv-export", { role: "group", "aria-label": "Export" });
      for (const [testid, kind, text] of [
        ["export-json", "json", "JSON (every version)"],
        ["export-markdown", "md", "Markdown (as shown)"],
      ] as const) {
        menu.append(h("a", "rc-act", { "data-testid": testid, href: exportPath(it.id, kind), download: "" }, text));
      }
      menu.hidden = true;
      acts.append(menu);
      li.append(link, acts);
      r = { li, link, label, acts, menu };
      this.rows.set(it.id, r);
    }
    const title = titleOf(it.title);
    if (r.label.textContent !== title) r.label.textContent = title;
    r.link.title = title;
    r.li.toggleAttribute("data-untitled", !(it.title && it.title.trim()));
    if (active) r.li.setAttribute("aria-current", "page");
    else r.li.removeAttribute("aria-current");
    return r;
  }

  private clicked(e: MouseEvent): void {
    const t = e.target as Element;
    const li = t.closest<HTMLElement>(".rc-conv");
    const id = li?.dataset["id"];
    if (!li || !id || t.closest(".rc-conv-rename")) return;
    if (t.closest(".rc-conv-export")) {
      setTimeout(() => this.openMenu(null)); // after the link's own click, which downloads
      return;
    }
    const testid = t.closest<HTMLElement>("button")?.dataset["testid"];
    // One export menu open at most: export opens its own (or closes it), any other click closes it.
    this.openMenu(testid === "export" && this.rows.get(id)?.menu.hidden ? id : null);
    if (testid === "export") return;
    if (testid === "conversation-rename") this.rename(id);
    else if (testid === "conversation-delete") this.ctx.emit(this.id, "conversation_delete", id);
    else if (!(e.ctrlKey || e.metaKey || e.shiftKey || e.altKey || e.button > 0)) {
      // A plain click opens it here; a modified one opens the link in a new tab or window.
      e.preventDefault();
      if (id !== this.shown.active) this.ctx.emit(this.id, "conversation_open", id);
    }
  }

  private openMenu(id: string | null): void {
    for (const [other, r] of this.rows) {
      r.menu.hidden = other !== id;
      r.acts.querySelector('[data-testid="export"]')?.setAttribute("aria-expanded", String(other === id));
    }
  }

  /** An input in place of the title: Enter (or leaving it) saves a changed, non-empty title; Escape cancels. */
  private rename(id: string): void {
    const r = this.rows.get(id);
    if (!r) return;
    if (this.editing) this.finish(false);
    const old = this.shown.items.find((it) => it.id === id)?.title ?? "";
    const input = h("input", "rc-field rc-conv-rename", { type: "text", "aria-label": "Chat title", maxlength: "200" });
    input.value = old;
    input.addEventListener("keydown", (e) => {
      const ke = e as KeyboardEvent;
      if (ke.isComposing) return;
      if (ke.key === "Enter" || ke.key === "Escape") {
        e.preventDefault();
        this.finish(ke.key === "Enter");
      }
    });
    input.addEventListener("blur", () => {
      if (this.editing?.input === input) this.finish(true);
    });
    this.editing = { id, input };
    r.link.hidden = r.acts.hidden = true;
    r.li.insertBefore(quietForm("rc-quiet", input), r.acts); // typed into: see quietForm
    input.focus();
    input.select?.(); // absent in the tests' DOM
  }

  private finish(save: boolean): void {
    const ed = this.editing;
    if (!ed) return;
    this.editing = null;
    const r = this.rows.get(ed.id);
    const title = ed.input.value.trim();
    const old = this.shown.items.find((it) => it.id === ed.id)?.title ?? "";
    (ed.input.closest("form") ?? ed.input).remove();
    if (!r) return;
    r.link.hidden = r.acts.hidden = false;
    if (!save || !title || title === old) return;
    r.label.textContent = r.link.title = title; // at once; the server's listing follows
    this.ctx.emit(this.id, "conversation_rename", [ed.id, title]);
  }

  private searchSoon(): void {
    if (this.searchTimer !== null) clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => this.sendSearch(), SEARCH_MS);
  }

  private searchKey(e: KeyboardEvent): void {
    if (e.isComposing) return;
    if (e.key === "Enter") this.sendSearch();
    else if (e.key === "Escape" && this.search.value) {
      e.preventDefault();
      this.search.value = "";
      this.sendSearch();
    }
  }

  private sendSearch(): void {
    if (this.searchTimer !== null) clearTimeout(this.searchTimer);
    this.searchTimer = null;
    const q = this.search.value.trim();
    if (q === this.sentQuery) return;
    this.sentQuery = q;
    this.ctx.emit(this.id, "conversation_search", q);
  }

  /** Ask for the next page when the end of the list is in view (a hidden list measures 0 and asks nothing). */
  private maybeMore(): void {
    const l = this.shown;
    const page = `${l.items.length}:${l.items[l.items.length - 1]?.id ?? ""}`;
    if (!l.more || page === this.askedAfter) return;
    const s = this.list;
    if (!(s.clientHeight > 0) || s.scrollHeight - s.scrollTop - s.clientHeight > NEAR_END) return;
    this.askedAfter = page;
    this.ctx.emit(this.id, "conversation_more", null);
  }

  private showUndo(id: string, title: string | null): void {
    this.offered = id;
    this.undoText.textContent = `Deleted “${titleOf(title)}”`;
    this.panel.append(this.undoBar);
    if (this.undoTimer !== null) clearTimeout(this.undoTimer);
    this.undoTimer = setTimeout(() => this.hideUndo(), UNDO_MS);
  }

  /** The offer ends; `offered` stays, so the same deletion is not offered again. */
  private hideUndo(): void {
    if (this.undoTimer !== null) clearTimeout(this.undoTimer);
    this.undoTimer = null;
    this.undoBar.remove();
    if (this.shown.deleted === null) this.offered = null;
  }
}

export const conversationsView = (id: number, ctx: ViewContext): View => new ConversationList(id, ctx);
