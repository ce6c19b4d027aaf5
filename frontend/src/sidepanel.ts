// The side panel: the conversation list above the sidebar's widgets, the account at its foot, and its toggle
// (beside the chat on wide screens, open at first; over it on narrow ones, closed at first and closed again by
// choosing a conversation).
import { arrange, h } from "./dom";
import { icon } from "./icons";

const NARROW = "(max-width: 800px)";

export type Slot = "conversations" | "widgets" | "account";

const narrow = (): boolean => matchMedia(NARROW).matches;

export class SidePanel {
  readonly el = h("aside", "rc-sidebar", { id: "rc-side", "data-testid": "sidebar", "aria-label": "Sidebar" });
  readonly toggle = h("button", "rc-side-toggle", {
    type: "button",
    "data-testid": "sidebar-toggle",
    "aria-label": "Toggle sidebar",
    "aria-controls": "rc-side",
  });
  private readonly slots: Record<Slot, HTMLElement | null> = { conversations: null, widgets: null, account: null };

  /** `app` carries `data-sidebar="open|closed"` (absent: no panel); a click on `stage` closes the overlay. */
  constructor(
    private readonly app: HTMLElement,
    stage: HTMLElement,
  ) {
    this.toggle.hidden = true;
    this.toggle.append(icon("menu"));
    this.toggle.addEventListener("click", () => this.open(app.dataset["sidebar"] !== "open"));
    stage.addEventListener("click", () => {
      if (narrow() && app.dataset["sidebar"] === "open") this.open(false);
    });
    this.el.addEventListener("click", (e) => {
      const me = e as MouseEvent;
      const t = me.target as Element;
      if (narrow() && t.closest("[data-closes-side]") && !(me.ctrlKey || me.metaKey || me.shiftKey)) this.open(false);
    });
  }

  /** Put `el` in its slot (null: empty it); the panel shows while any slot is filled. */
  mount(slot: Slot, el: HTMLElement | null): void {
    if (this.slots[slot] === el) return;
    this.slots[slot] = el;
    const { conversations, widgets, account } = this.slots;
    const filled = [conversations, widgets, account].filter((x): x is HTMLElement => x !== null);
    // Moving as little as possible: a widget being typed into keeps its focus when the list appears.
    arrange(this.el, filled);
    this.el.toggleAttribute("data-conversations", conversations !== null);
    const any = filled.length > 0;
    this.toggle.hidden = !any;
    if (!any) {
      this.el.remove();
      delete this.app.dataset["sidebar"];
      return;
    }
    if (this.el.parentNode !== this.app) this.app.prepend(this.el);
    const state = this.app.dataset["sidebar"];
    this.open(state ? state === "open" : !narrow());
  }

  open(open: boolean): void {
    this.app.dataset["sidebar"] = open ? "open" : "closed";
    this.toggle.setAttribute("aria-expanded", String(open));
    this.el.hidden = !open;
  }
}
