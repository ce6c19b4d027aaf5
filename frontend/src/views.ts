// The view of each node kind (the registry createView reads), and the small kinds that need no module.
import { conversationsView } from "./conversations";
import { h, str } from "./dom";
import { htmlView, markdownView } from "./markdown";
import { fileView, galleryView, imageView, mediaView } from "./media";
import { messageView } from "./message";
import { isMap, type Value } from "./protocol";
import { shadowBody } from "./shadow";
import { thoughtView } from "./thought";
import type { Factory, View, ViewContext } from "./view";
import { sidebarView, widgetView } from "./widgets";

/** A hidden anchor for kinds that drive the page rather than show in the transcript. */
function anchor(kind: string): View {
  const el = h("span");
  el.hidden = true;
  return { kind, el, body: null, update() {} };
}

const factories: Record<string, Factory> = {
  root(_id, ctx) {
    const el = h("div", "rc-transcript", { "data-testid": "transcript" });
    const body = shadowBody(el);
    // The layout and direction styles key messages on, where the rules inside the shadow root can see them.
    const refresh = (): void => {
      body.dataset["layout"] = ctx.opts.layout;
      if (ctx.opts.rtl) body.dir = "rtl";
      else body.removeAttribute("dir");
    };
    refresh();
    return { kind: "root", el, body, update() {}, refresh };
  },

  title() {
    // The page's bar shows the title (main.ts); the node only names the browser tab.
    const v = anchor("title");
    v.update = (p) => {
      document.title = str(p["text"]) || "reactchat";
    };
    return v;
  },

  message: messageView,

  markdown: markdownView,

  html: htmlView,

  chat_input: () => anchor("chat_input"),

  chat: () => anchor("chat"),

  thought: thoughtView,

  sidebar: sidebarView,

  conversations: conversationsView,

  widget: widgetView,

  image: imageView,

  audio: (_id, ctx) => mediaView("audio", ctx),

  video: (_id, ctx) => mediaView("video", ctx),

  file: fileView,

  gallery: galleryView,

  queue() {
    const el = h("div", "rc-queue", { "data-testid": "queue-position", role: "status", "aria-live": "polite" });
    return {
      kind: "queue",
      el,
      body: null,
      update(p) {
        el.textContent = placeText(p["ahead"]);
      },
    };
  },

  error() {
    const el = h("div", "rc-error", { "data-testid": "error", role: "alert" });
    return {
      kind: "error",
      el,
      body: null,
      update(p) {
        const head = h("div", "rc-error-head");
        head.append(h("strong", "rc-error-type", undefined, str(p["type"], "Error")));
        const msg = str(p["message"]);
        if (msg) head.append(": " + msg);
        const frames = Array.isArray(p["frames"]) ? p["frames"] : [];
        const list = h("div", "rc-frames");
        for (const f of frames) list.append(frameEl(f));
        el.replaceChildren(head, list);
      },
    };
  },
};

/** A run's place in a line: how many wait before it. */
export function placeText(ahead: Value | undefined): string {
  const n = typeof ahead === "number" && ahead > 0 ? Math.floor(ahead) : 0;
  return n === 0 ? "Waiting for a free slot: you are next" : `Waiting in line: ${n} ahead of you`;
}

function frameEl(f: Value): HTMLElement {
  const m = isMap(f) ? f : {};
  const row = h("div", "rc-frame");
  const loc = h("div", "rc-frame-loc");
  const line = str(m["line"]);
  loc.append(h("span", "rc-frame-file", undefined, str(m["file"]) + (line ? `:${line}` : "")));
  const name = str(m["name"]);
  if (name) loc.append(" in ", h("span", "rc-frame-name", undefined, name));
  row.append(loc);
  const code = str(m["code"]);
  if (code) row.append(h("pre", "rc-frame-code", undefined, code));
  return row;
}

function genericView(kind: string): View {
  const el = h("div", "rc-node", { "data-kind": kind });
  return { kind, el, body: el, update() {} };
}

export function createView(kind: string, id: number, ctx: ViewContext): View {
  const f = Object.prototype.hasOwnProperty.call(factories, kind) ? factories[kind] : undefined;
  return f ? f(id, ctx) : genericView(kind);
}
