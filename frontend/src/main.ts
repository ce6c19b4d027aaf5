// Entry point: builds the page chrome and wires store, renderer, composer and connection.
import { Composer } from "./composer";
import { Connection, type Status } from "./connection";
import { h, str } from "./dom";
import type { Overlay } from "./protocol";
import { Renderer } from "./render";
import { Store } from "./store";

const NEAR_BOTTOM = 40;
const TOAST_MS = 4000;

class App {
  private readonly store = new Store();
  private readonly el = h("div", "rc-app", { "data-testid": "app", "data-run-state": "disconnected" });
  private readonly scroller = h("main", "rc-scroll");
  private readonly conn = h("div", "rc-conn", { role: "status", "aria-live": "polite" });
  private readonly toasts = h("div", "rc-toasts", { role: "status", "aria-live": "polite" });
  private overlayEl: HTMLElement | null = null;
  private readonly renderer = new Renderer(this.store, this.scroller);
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
    this.el.append(this.conn, this.scroller, this.composer.el, this.toasts);
    root.replaceChildren(this.el);
    this.scroller.addEventListener("scroll", () => this.onScroll(), { passive: true });
    addEventListener("resize", () => this.scrollIfStuck());

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
    this.updateChrome();
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
    this.el.insertBefore(el, this.scroller);
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
  }

  private scrollIfStuck(): void {
    if (this.stick) this.scroller.scrollTop = this.scroller.scrollHeight;
  }
}

new App(document.getElementById("rc-root") ?? document.body);
