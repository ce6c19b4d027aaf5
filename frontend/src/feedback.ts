// A message's feedback buttons: the thumbs in its action row, any other options in a small menu, and the
// choice shown at once on a click (before the server echoes it back in the `feedback` prop).
import { actionButton, h } from "./dom";
import type { IconName } from "./icons";
import type { Value } from "./protocol";

/** The feedback options drawn as thumbs, with their icons; the others go in the "more" menu. */
const THUMBS = new Map<string, IconName>([
  ["Like", "up"],
  ["Dislike", "down"],
]);

export class Feedback {
  /** The option shown, and the prop it was last taken from. */
  private chosen: string | null = null;
  private prop: Value | undefined;
  private menuOpen = false;

  /** `el`: the message (focus moves within it); `redraw`: rebuilds the message's action row. */
  constructor(
    private readonly el: HTMLElement,
    private readonly redraw: () => void,
  ) {}

  /** The message's `feedback` prop: only a changed one replaces what a click chose. */
  sync(prop: Value | undefined): void {
    if (prop === this.prop) return;
    this.prop = prop;
    this.chosen = typeof prop === "string" ? prop : null;
  }

  /** Draw the buttons for `options` into `row`; `send` reports a choice (null: taken back). */
  draw(row: HTMLElement, options: readonly string[], send: (value: string | null) => void): void {
    const btn = (testid: string, label: string, icon: IconName | null, fn: () => void, to: HTMLElement): HTMLButtonElement => {
      const b = actionButton(testid, label, icon, false, false);
      b.addEventListener("click", fn);
      to.append(b);
      return b;
    };
    const choose = (o: string): void => {
      this.chosen = this.chosen === o ? null : o;
      this.menuOpen = false;
      send(this.chosen);
      this.redraw();
    };
    const option = (o: string, icon: IconName | null, to: HTMLElement): HTMLButtonElement => {
      const b = btn("feedback", o, icon, () => choose(o), to);
      b.dataset["value"] = o;
      b.setAttribute("aria-pressed", String(this.chosen === o));
      return b;
    };
    for (const o of options) {
      const icon = THUMBS.get(o);
      if (icon) option(o, icon, row);
    }
    const more = options.filter((o) => !THUMBS.has(o));
    if (!more.length) return;
    // The other options live in a small menu, built only while it is open.
    const wrap = h("div", "rc-more");
    const fb = this.chosen;
    const custom = fb !== null && more.includes(fb);
    /** Open or close the menu; `focus`: move focus into it, or back to its button. */
    const toggle = (open: boolean, focus = true): void => {
      if (open === this.menuOpen) return;
      this.menuOpen = open;
      this.redraw();
      if (focus) this.el.querySelector<HTMLElement>(open ? ".rc-menu > button" : ".rc-more > button")?.focus();
    };
    const label = custom ? `Feedback: ${fb}` : "More feedback";
    const m = btn("feedback-more", label, "flag", () => toggle(!this.menuOpen), wrap);
    m.setAttribute("aria-expanded", String(this.menuOpen));
    m.setAttribute("aria-pressed", String(custom));
    if (custom) m.append(h("span", undefined, undefined, fb));
    if (this.menuOpen) {
      const menu = h("div", "rc-menu", { role: "group", "aria-label": "Feedback" });
      for (const o of more) option(o, null, menu).textContent = o;
      wrap.append(menu);
      wrap.addEventListener("focusout", (e) => {
        if (wrap.isConnected && !wrap.contains(e.relatedTarget as Node | null)) toggle(false, false);
      });
      wrap.addEventListener("keydown", (e) => {
        if (e.key === "Escape") toggle(false);
      });
    }
    row.append(wrap);
  }
}
