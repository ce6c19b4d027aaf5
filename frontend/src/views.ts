// One view per node kind: builds the node's element and patches it when its props change.
import { h, setHtml, str } from "./dom";
import type { Props, Value } from "./protocol";

export interface View {
  readonly kind: string;
  readonly el: HTMLElement;
  /** Where the node's children go; null for kinds that render no children. */
  readonly body: HTMLElement | null;
  /** `textFrom`: string props are unchanged before this UTF-16 offset (absent: only lists changed). */
  update(props: Props, textFrom?: number): void;
}

type Factory = () => View;

const factories: Record<string, Factory> = {
  root() {
    const el = h("div", "rc-transcript", { "data-testid": "transcript" });
    return { kind: "root", el, body: el, update() {} };
  },

  title() {
    const el = h("h1", "rc-title");
    return {
      kind: "title",
      el,
      body: null,
      update(p) {
        el.textContent = str(p["text"]);
        document.title = el.textContent || "reactchat";
      },
    };
  },

  message() {
    const el = h("div", "rc-message", { "data-testid": "message" });
    const body = h("div", "rc-content", { "data-testid": "message-content" });
    el.append(body);
    return {
      kind: "message",
      el,
      body,
      update(p) {
        const role = str(p["role"], "assistant");
        el.dataset["role"] = role === "user" || role === "system" ? role : "assistant";
      },
    };
  },

  markdown: markdownView,

  chat_input() {
    // Drives the footer composer; keeps a hidden placeholder so siblings stay keyed in order.
    const el = h("span", "rc-input-anchor");
    el.hidden = true;
    return { kind: "chat_input", el, body: null, update() {} };
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

function frameEl(f: Value): HTMLElement {
  const m = f !== null && typeof f === "object" && !Array.isArray(f) ? f : {};
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

/**
 * `html` is the whole text's HTML; `cuts` are the ends of its finished blocks. Each finished block is
 * parsed into the DOM once; only blocks at or after the changed offset, and the open tail, are redone.
 */
function markdownView(): View {
  const el = h("div", "rc-md");
  const tail = h("div", "rc-tail");
  el.append(tail);
  const blockEls: HTMLElement[] = [];
  const ends: number[] = [];
  let tailHtml = "";
  return {
    kind: "markdown",
    el,
    body: null,
    update(p, textFrom = Infinity) {
      const html = str(p["html"]);
      const raw = Array.isArray(p["cuts"]) ? p["cuts"] : [];
      const cuts = raw.filter((c): c is number => typeof c === "number");
      let keep = 0;
      while (keep < ends.length && keep < cuts.length && cuts[keep] === ends[keep] && (ends[keep] as number) <= textFrom) {
        keep++;
      }
      while (blockEls.length > keep) blockEls.pop()?.remove();
      ends.length = keep;
      for (let i = keep; i < cuts.length; i++) {
        const b = h("div", "rc-block");
        setHtml(b, html.slice(i ? cuts[i - 1] : 0, cuts[i]));
        el.insertBefore(b, tail);
        blockEls.push(b);
        ends.push(cuts[i] as number);
      }
      const t = html.slice(cuts.length ? cuts[cuts.length - 1] : 0);
      if (t !== tailHtml) setHtml(tail, (tailHtml = t));
    },
  };
}

function genericView(kind: string): View {
  const el = h("div", "rc-node", { "data-kind": kind });
  return { kind, el, body: el, update() {} };
}

export function createView(kind: string): View {
  const f = Object.prototype.hasOwnProperty.call(factories, kind) ? factories[kind] : undefined;
  return f ? f() : genericView(kind);
}
