// Entry point: builds the page chrome and wires store, renderer, composer and connection.
import { accountBlock, parseAccount } from "./account";
import { socketUrl } from "./boot";
import { drawActions, FOLLOWS } from "./actions";
import { Address } from "./address";
import { type ChatOpts, chatOpts } from "./chatopts";
import { exampleCard } from "./choices";
import { transcriptText, visibleText } from "./clipboard";
import { Composer } from "./composer";
import { Connection, type Status } from "./connection";
import { h, setHtml, setIdleButtons } from "./dom";
import { icon } from "./icons";
import type { Emit, Overlay, Props } from "./protocol";
import { Renderer } from "./render";
import { SidePanel } from "./sidepanel";
import { type RunState, Store } from "./store";
import { applyTheme } from "./theme";

const NEAR_BOTTOM = 40;
const DEFAULT_PLACEHOLDER = "Send a message to start the conversation.";
const TOAST_MS = 4000;
const CONN_TEXT: Record<Status, string> = {
  connecting: "Connecting…",
  open: "",
  closed: "Disconnected — retrying…",
  "signed-out": "Signed out — reload the page to sign in.",
};
const UNDO_MS = 8000; // how long an undone turn is offered back
/** Events that add to the transcript, or show another conversation: the view follows the bottom again. */
const FOLLOW = new Set(["submit", "option", "example", ...FOLLOWS, "conversation_open", "conversation_new"]);

class App {
  private readonly store = new Store();
  private readonly el = h("div", "rc-app", { "data-testid": "app", "data-run-state": "disconnected" });
  private readonly stage = h("div", "rc-stage");
  private readonly scroller = h("main", "rc-scroll");
  /** The transcript goes here; the renderer owns its children. */
  private readonly host = h("div", "rc-host");
  /**
   * The bar above the transcript: the title, and the chat-level actions (clear, copy all) at the column's end.
   * It is part of the layout, so it never covers a message, and a chat of a fixed height never scrolls it away.
   */
  private readonly bar = h("header", "rc-bar");
  private readonly titleEl = h("h1", "rc-title");
  /** The chat's description, at the top of the transcript. */
  private readonly desc = h("div", "rc-desc rc-desc-top rc-md");
  /** The empty chat: the placeholder and the examples. */
  private readonly empty = h("div", "rc-empty");
  private readonly placeholder = h("div", "rc-placeholder rc-md", { "data-testid": "placeholder" });
  private readonly examples = h("div", "rc-examples");
  /** Chat-level actions (clear, copy all), in the bar. */
  private readonly chatBar = h("div", "rc-chatbar");
  /** The conversation list and the sidebar's widgets. */
  private readonly side = new SidePanel(this.el, this.stage);
  /** The chat node and its display options, as the last render reported them. */
  private chatId: number | null = null;
  private opts: ChatOpts = chatOpts();
  private run: RunState = "idle";
  /** The run waits in a line: the input stays usable to queue more messages. */
  private waiting = false;
  /** A run is going: buttons with class `rc-idle` are disabled until it ends. */
  private busy = false;
  private readonly toBottom = h("button", "rc-to-bottom", {
    type: "button",
    "data-testid": "scroll-to-bottom",
    "aria-label": "Scroll to the latest message",
  });
  private readonly conn = h("div", "rc-conn", { role: "status", "aria-live": "polite" });
  private readonly toasts = h("div", "rc-toasts", { role: "status", "aria-live": "polite" });
  /** The undone turn's offer: its toast, and how many messages it puts back (null: none offered). */
  private putBack: HTMLElement | null = null;
  private removed: number | null = null;
  private overlayEl: HTMLElement | null = null;
  /** How views and the chat bar send events. */
  private readonly emit: Emit = (id, action, value) => {
    if (FOLLOW.has(action)) this.stick = true;
    this.connection.event(id, action, value);
  };
  private readonly renderer = new Renderer(this.store, this.host, { emit: this.emit, isBusy: () => this.busy });
  /** The URL follows the conversation shown; back/forward switch it. */
  private readonly address = new Address(this.emit);
  private readonly composer: Composer;
  private readonly connection: Connection;
  private status: Status = "connecting";
  private frameRequested = false;
  /** A render at once is queued (see `schedule`). */
  private soon = false;
  private stick = true;
  private lastTop = 0;

  constructor(root: HTMLElement) {
    // Connect first: the socket opens while the page builds, and its hello goes as soon as the page is idle.
    this.connection = new Connection(socketUrl(), this.store, {
      applied: () => this.schedule(),
      status: (s) => {
        this.status = s;
        this.schedule();
      },
      lost: (texts) => {
        this.composer.restore(texts.join("\n\n"));
        this.toast("The session was restarted; your unsent message is back in the input.");
      },
      note: (text) => this.toast(text),
    });
    this.connection.connect();
    this.composer = new Composer({
      submit: (id, value) => this.connection.event(id, "submit", value),
      stop: () => this.connection.stop(),
      resize: () => this.scrollIfStuck(),
      notice: (m) => this.toast(m),
      token: () => this.connection.sessionToken,
    });
    this.composer.dropTarget(this.el);
    this.desc.hidden = this.toBottom.hidden = this.chatBar.hidden = this.titleEl.hidden = this.bar.hidden = true;
    this.bar.append(this.titleEl, this.chatBar);
    this.empty.append(this.placeholder, this.examples);
    this.toBottom.append(icon("bottom"));
    this.toBottom.addEventListener("click", () => {
      this.stick = true;
      this.scroller.scrollTop = this.scroller.scrollHeight;
      this.updateToBottom();
    });
    this.scroller.append(this.desc, this.host);
    this.stage.append(this.bar, this.scroller, this.toBottom);
    this.el.append(this.side.toggle, this.conn, this.stage, this.composer.el, this.toasts);
    root.replaceChildren(this.el);
    this.side.mount("account", accountBlock(parseAccount(root.dataset["account"])));
    this.scroller.addEventListener("scroll", () => this.onScroll(), { passive: true });
    // Content also grows without a frame (images, typeset math, a thought opened): keep following it.
    const ro = new ResizeObserver(() => this.scrollIfStuck());
    ro.observe(this.host);
    ro.observe(this.scroller);
  }

  /**
   * Render what arrived. While a run goes, more frames follow: they render together at the next animation
   * frame. A frame that leaves the app idle (the end of a run, a connection's state) renders at once, at the
   * end of the task that applied it, with whatever waited for the animation frame: nothing follows to wait for,
   * and waiting would add up to a frame to a reply's latency (the frame paints the DOM as it is then either
   * way). A hidden tab waits for animation frames (none until it shows again).
   */
  private schedule(): void {
    if (this.store.run !== "running" && !document.hidden) {
      if (!this.soon) {
        this.soon = true;
        queueMicrotask(() => this.render());
      }
      return;
    }
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      if (this.frameRequested) this.render(); // else rendered at once since
    });
  }

  private render(): void {
    this.frameRequested = this.soon = false;
    const c = this.renderer.render();
    if (c.input) this.composer.bind(c.input.id, c.input.props);
    if (c.chat) this.applyOpts(c.chat.id, c.chat.opts);
    if (c.sidebar !== undefined) this.side.mount("widgets", c.sidebar);
    if (c.title !== undefined) {
      this.titleEl.textContent = c.title ?? "";
      this.titleEl.hidden = !c.title;
    }
    if (c.conversations) {
      this.side.mount("conversations", c.conversations.panel);
      this.address.follow(c.conversations.id, c.conversations.props);
      this.offerPutBack(c.conversations.id, c.conversations.props);
    }
    if (c.run) this.run = c.run;
    if (c.waiting !== undefined) this.waiting = c.waiting;
    this.updateChrome();
    this.updatePlaceholder();
    if (c.overlay !== undefined) this.renderOverlay(c.overlay);
    this.scrollIfStuck();
  }

  /** Apply the chat node's display options to the page (the renderer has applied them to the views). */
  private applyOpts(chatId: number | null, o: ChatOpts): void {
    this.chatId = chatId;
    this.opts = o;
    const el = this.el;
    el.dataset["layout"] = o.layout;
    applyTheme(document, o.theme);
    if (o.rtl) el.dir = "rtl";
    else el.removeAttribute("dir");
    el.toggleAttribute("data-boxed", !!o.height || o.resizable);
    el.toggleAttribute("data-resizable", o.resizable);
    const st = this.scroller.style;
    st.height = o.height;
    st.minHeight = o.minHeight;
    st.maxHeight = o.maxHeight;
    this.composer.setLabels(o.submitLabel, o.stopLabel);
    setHtml(this.desc, o.description);
    // Without a placeholder of the app's own, a quiet default, so the empty page is not blank.
    if (o.placeholder) setHtml(this.placeholder, o.placeholder);
    else this.placeholder.textContent = DEFAULT_PLACEHOLDER;
    this.placeholder.toggleAttribute("data-default", !o.placeholder);
    this.renderExamples();
    this.renderChatBar();
  }

  private renderExamples(): void {
    this.examples.replaceChildren(
      ...this.opts.examples.map((ex, i) => {
        const b = exampleCard(ex);
        b.addEventListener("click", () => {
          if (this.chatId !== null) this.connection.event(this.chatId, "example", i);
          this.stick = true;
        });
        return b;
      }),
    );
  }

  private renderChatBar(): void {
    this.chatBar.replaceChildren();
    drawActions(this.chatBar, "chat", {
      id: this.chatId,
      role: "",
      last: false,
      lastAssistant: false,
      settings: this.opts.actions,
      busy: this.busy,
      emit: this.emit,
      text: () =>
        transcriptText(
          this.renderer.messageEls().map((el) => ({
            role: el.dataset["role"] ?? "",
            text: visibleText(el.querySelector(".rc-content") ?? el),
          })),
          this.opts.watermark,
        ),
    });
  }

  /**
   * The placeholder and examples while the chat has no messages (the default placeholder only where the user
   * can type), the description, and the bar while it has a title, an action or the side panel's toggle to hold.
   */
  private updatePlaceholder(): void {
    const none = !this.renderer.hasMessages;
    const o = this.opts;
    const show = none && (!!o.placeholder || o.examples.length > 0 || !this.composer.el.hidden);
    if (show !== this.empty.isConnected) {
      if (show) this.scroller.append(this.empty);
      else this.empty.remove();
    }
    this.chatBar.hidden = none || !this.chatBar.firstChild;
    this.desc.hidden = !o.description;
    this.bar.hidden = this.titleEl.hidden && this.chatBar.hidden && this.side.toggle.hidden;
  }

  /** Run state, composer mode and connection badge; writes only what changed. */
  private updateChrome(): void {
    const open = this.status === "open";
    const state = open ? this.run : "disconnected";
    if (this.el.dataset["runState"] !== state) this.el.dataset["runState"] = state;
    this.renderer.setRunning(state === "running");
    this.composer.setRunning(this.run === "running", this.waiting);
    this.setBusy(this.run === "running");
    if (this.conn.dataset["state"] !== this.status) {
      this.conn.dataset["state"] = this.status;
      this.conn.textContent = CONN_TEXT[this.status];
    }
  }

  private setBusy(busy: boolean): void {
    if (busy === this.busy) return;
    this.busy = busy;
    setIdleButtons(busy);
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

  /** The turn an undo removed, offered back for a few seconds (while the server still offers it). */
  private offerPutBack(id: number | null, p: Props | null): void {
    const n = p?.["removed"];
    const count = typeof n === "number" && n > 0 && id !== null ? n : null;
    if (count === this.removed) return;
    this.removed = count;
    this.putBack?.remove();
    this.putBack = null;
    if (count === null || id === null) return;
    const what = count === 1 ? "a message" : `${count} messages`;
    const t = h("div", "rc-toast rc-toast-action", { "data-testid": "removed" }, `Removed ${what}`);
    const undo = h("button", "rc-btn", { type: "button", "data-testid": "undo-remove" }, "Undo");
    undo.addEventListener("click", () => {
      this.emit(id, "conversation_put_back", null);
      t.remove();
    });
    t.append(undo);
    this.toasts.append(t);
    this.putBack = t;
    setTimeout(() => t.remove(), UNDO_MS);
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
    // An empty chat reads from the top (description, placeholder, then examples) when it does not fit.
    if (!this.renderer.hasMessages) this.scroller.scrollTop = 0;
    else if (this.stick && this.opts.autoscroll) this.scroller.scrollTop = this.scroller.scrollHeight;
    this.updateToBottom();
  }

  /** The scroll-to-bottom button shows while the view is away from the bottom and not following it. */
  private updateToBottom(): void {
    const s = this.scroller;
    const away = s.scrollHeight - s.scrollTop - s.clientHeight > NEAR_BOTTOM;
    const hide = !away || (this.stick && this.opts.autoscroll);
    if (this.toBottom.hidden !== hide) this.toBottom.hidden = hide;
  }
}

new App(document.getElementById("rc-root") ?? document.body);
