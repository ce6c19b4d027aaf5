// Entry point: builds the page chrome and wires store, renderer, composer and connection.
import { Composer } from "./composer";
import { Connection, type Status } from "./connection";
import { h, setHtml, str } from "./dom";
import { chatOpts } from "./format";
import type { Overlay, Props } from "./protocol";
import { Renderer } from "./render";
import { Store } from "./store";
import { opts, setOpts } from "./views";

const NEAR_BOTTOM = 40;
const TOAST_MS = 4000;
const ARROW =
  '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" ' +
  'stroke-linejoin="round" aria-hidden="true"><path d="M12 5v14M6 13l6 6 6-6"/></svg>';

class App {
  private readonly store = new Store();
  private readonly el = h("div", "rc-app", { "data-testid": "app", "data-run-state": "disconnected" });
  private readonly stage = h("div", "rc-stage");
  private readonly scroller = h("main", "rc-scroll");
  /** The transcript goes here; the renderer owns its children. */
  private readonly host = h("div", "rc-host");
  /** The chat's description when there is no title to show it under. */
  private readonly desc = h("div", "rc-desc rc-desc-top rc-md");
  private readonly placeholder = h("div", "rc-placeholder rc-md", { "data-testid": "placeholder" });
  private readonly toBottom = h("button", "rc-to-bottom", {
    type: "button",
    "data-testid": "scroll-to-bottom",
    "aria-label": "Scroll to the latest message",
  });
  private readonly conn = h("div", "rc-conn", { role: "status", "aria-live": "polite" });
  private readonly toasts = h("div", "rc-toasts", { role: "status", "aria-live": "polite" });
  private overlayEl: HTMLElement | null = null;
  private readonly renderer = new Renderer(this.store, this.host);
  private readonly composer: Composer;
  private readonly connection: Connection;
  private status: Status = "connecting";
  private frameRequested = false;
  private stick = true;
  private lastTop = 0;

  constructor(root: HTMLElement) {
    this.composer = new Composer(
      (id, text) => {
        this.stick = true;
        this.connection.event(id, "submit", text);
      },
      () => this.connection.stop(),
      () => this.scrollIfStuck(),
    );
    this.desc.hidden = this.toBottom.hidden = true;
    this.toBottom.innerHTML = ARROW; // a constant
    this.toBottom.addEventListener("click", () => {
      this.stick = true;
      this.scroller.scrollTop = this.scroller.scrollHeight;
      this.updateToBottom();
    });
    this.scroller.append(this.desc, this.host);
    this.stage.append(this.scroller, this.toBottom);
    this.el.append(this.conn, this.stage, this.composer.el, this.toasts);
    root.replaceChildren(this.el);
    this.scroller.addEventListener("scroll", () => this.onScroll(), { passive: true });
    // Content also grows without a frame (images, typeset math, a thought opened): keep following it.
    const ro = new ResizeObserver(() => this.scrollIfStuck());
    ro.observe(this.host);
    ro.observe(this.scroller);

    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    this.connection = new Connection(`${proto}//${location.host}/_rc/ws`, this.store, {
      applied: () => this.schedule(),
      status: (s) => {
        this.status = s;
        this.schedule();
      },
      lost: (texts) => {
        this.composer.restore(texts.join("\n\n"));
        this.toast("The session was restarted; your unsent message is back in the input.");
      },
    });
    this.renderer.flush({ ...this.store.takeDirty(), reset: true });
    this.connection.connect();
  }

  private schedule(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      this.render();
    });
  }

  private render(): void {
    const d = this.store.takeDirty();
    this.renderer.flush(d);
    if (this.renderer.inputsChanged) {
      this.renderer.inputsChanged = false;
      this.bindComposer();
    }
    if (this.renderer.chatsChanged) {
      this.renderer.chatsChanged = false;
      this.applyOpts();
    }
    this.updateChrome();
    this.updatePlaceholder();
    if (d.overlay) this.renderOverlay(this.store.overlay);
    for (const n of this.store.notes.splice(0)) this.toast(n);
    this.scrollIfStuck();
  }

  private bindComposer(): void {
    let id: number | null = null;
    for (const i of this.renderer.inputs) if (this.store.get(i)) id = i;
    const placeholder = id === null ? "" : str(this.store.get(id)?.props["placeholder"], "Message");
    this.composer.bind(id, placeholder);
  }

  /** Apply the (last) chat node's display options to the page, and to the views when they changed. */
  private applyOpts(): void {
    let props: Props | undefined;
    for (const id of this.renderer.chats) props = this.store.get(id)?.props ?? props;
    const o = chatOpts(props);
    if (JSON.stringify(o) === JSON.stringify(opts)) return;
    setOpts(o);
    const el = this.el;
    el.dataset["layout"] = o.layout;
    if (o.rtl) el.dir = "rtl";
    else el.removeAttribute("dir");
    el.toggleAttribute("data-boxed", !!o.height || o.resizable);
    el.toggleAttribute("data-resizable", o.resizable);
    const st = this.scroller.style;
    st.height = o.height;
    st.minHeight = o.minHeight;
    st.maxHeight = o.maxHeight;
    setHtml(this.desc, o.description);
    setHtml(this.placeholder, o.placeholder);
    this.renderer.refresh();
  }

  /** The placeholder while the chat has no messages; the description here while there is no title. */
  private updatePlaceholder(): void {
    const show = !!opts.placeholder && this.renderer.messages.size === 0;
    if (show !== this.placeholder.isConnected) {
      if (show) this.scroller.append(this.placeholder);
      else this.placeholder.remove();
    }
    this.desc.hidden = !opts.description || this.renderer.titles.size > 0;
  }

  /** Run state, composer mode and connection badge; writes only what changed. */
  private updateChrome(): void {
    const open = this.status === "open";
    const state = open ? this.store.run : "disconnected";
    if (this.el.dataset["runState"] !== state) this.el.dataset["runState"] = state;
    this.composer.setRunning(this.store.run === "running");
    if (this.conn.dataset["state"] !== this.status) {
      this.conn.dataset["state"] = this.status;
      this.conn.textContent = open ? "" : this.status === "connecting" ? "Connecting…" : "Disconnected — retrying…";
    }
  }

  private renderOverlay(o: Overlay | null): void {
    this.overlayEl?.remove();
    this.overlayEl = null;
    if (!o) return;
    const el = h("div", "rc-overlay", { "data-testid": "error", role: "alert" });
    el.append(h("div", "rc-overlay-msg", undefined, o.message));
    if (o.file) {
      const line = o.line !== null && o.line !== undefined ? `:${o.line}` : "";
      el.append(h("div", "rc-overlay-loc", undefined, o.file + line));
    }
    if (o.text) el.append(h("pre", "rc-overlay-text", undefined, o.text));
    this.el.insertBefore(el, this.stage);
    this.overlayEl = el;
  }

  private toast(message: string): void {
    const t = h("div", "rc-toast", undefined, message);
    this.toasts.append(t);
    while (this.toasts.childElementCount > 3) this.toasts.firstElementChild?.remove();
    setTimeout(() => t.remove(), TOAST_MS);
  }

  private onScroll(): void {
    const s = this.scroller;
    const top = s.scrollTop;
    const dist = s.scrollHeight - top - s.clientHeight;
    // Moving up (and not just clamped at the bottom by shrinking content) means the user left.
    if (top < this.lastTop - 1 && dist > 2) this.stick = false;
    else if (dist < NEAR_BOTTOM) this.stick = true;
    this.lastTop = top;
    this.updateToBottom();
  }

  private scrollIfStuck(): void {
    if (this.stick && opts.autoscroll) this.scroller.scrollTop = this.scroller.scrollHeight;
    this.updateToBottom();
  }

  /** The scroll-to-bottom button shows while the view is away from the bottom and not following it. */
  private updateToBottom(): void {
    const s = this.scroller;
    const away = s.scrollHeight - s.scrollTop - s.clientHeight > NEAR_BOTTOM;
    const hide = !away || (this.stick && opts.autoscroll);
    if (this.toBottom.hidden !== hide) this.toBottom.hidden = hide;
  }
}

new App(document.getElementById("rc-root") ?? document.body);
