// One view per node kind: builds the node's element and patches it when its props change.
import { actionButton, h, setHtml, str } from "./dom";
import { busy, emit } from "./events";
import { avatarOf, type ChatOpts, chatOpts, THUMBS } from "./chatopts";
import { optionsOf } from "./choices";
import { copyShowing, copyText, visibleText } from "./clipboard";
import { fmtDur, fmtSize, safeUrl, thoughtOpen, thoughtStatus } from "./format";
import { ICONS } from "./icons";
import { openLightbox, type Pic } from "./lightbox";
import { typeset } from "./math";
import { chooseOpen, chosenOpen } from "./memory";
import { isMap, type Props, type Value } from "./protocol";
import type { View } from "./view";
import { sidebarView, widgetView } from "./widgets";


/** The display options of the app's chat node (the defaults while there is none). */
export let opts: ChatOpts = chatOpts();

export function setOpts(o: ChatOpts): void {
  opts = o;
}

type Factory = (id: number) => View;

const ROLES: Record<string, string> = { user: "You", assistant: "Assistant", system: "System" };

const FILE_ICON =
  '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round" ' +
  'aria-hidden="true"><path d="M14 3H6a1 1 0 0 0-1 1v16a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1V8z"/>' +
  '<path d="M14 3v5h5M8.5 13h7M8.5 17h5"/></svg>';

/** A hidden anchor for kinds that drive the page rather than show in the transcript. */
function anchor(kind: string): View {
  const el = h("span");
  el.hidden = true;
  return { kind, el, body: null, update() {} };
}

const factories: Record<string, Factory> = {
  root() {
    const el = h("div", "rc-transcript", { "data-testid": "transcript" });
    return { kind: "root", el, body: el, update() {} };
  },

  title() {
    const el = h("header", "rc-header");
    const t = h("h1", "rc-title");
    const desc = h("div", "rc-desc rc-md");
    el.append(t, desc);
    const refresh = (): void => {
      desc.hidden = !opts.description;
      setHtml(desc, opts.description);
    };
    refresh();
    return {
      kind: "title",
      el,
      body: null,
      update(p) {
        t.textContent = str(p["text"]);
        document.title = t.textContent || "reactchat";
      },
      refresh,
    };
  },

  message: messageView,

  markdown: markdownView,

  html() {
    const el = h("div", "rc-md rc-html");
    let html = "";
    return {
      kind: "html",
      el,
      body: null,
      update(p) {
        setHtml(el, (html = str(p["html"])));
        enhance(el, html);
      },
      refresh: () => codeButtons(el, opts.copyCode),
    };
  },

  chat_input: () => anchor("chat_input"),

  chat: () => anchor("chat"),

  thought: thoughtView,

  sidebar: sidebarView,

  widget: widgetView,

  image() {
    const el = h("figure", "rc-figure");
    const img = h("img", undefined, { loading: "lazy", decoding: "async" });
    const btn = zoomButton(img);
    const cap = h("figcaption", "rc-cap");
    el.append(btn, cap);
    let pic: Pic = picOf({});
    btn.addEventListener("click", () => openLightbox([pic], 0));
    return {
      kind: "image",
      el,
      body: null,
      update(p) {
        pic = picOf(p);
        setAttr(img, "src", pic.src);
        img.alt = pic.alt;
        btn.setAttribute("aria-label", pic.alt || "Open image");
        for (const k of ["width", "height"]) {
          const n = p[k];
          setAttr(img, k, typeof n === "number" && n > 0 ? String(Math.round(n)) : "");
        }
        cap.textContent = pic.caption;
        cap.hidden = !pic.caption;
      },
    };
  },

  audio: () => mediaView("audio"),

  video: () => mediaView("video"),

  file() {
    const el = h("a", "rc-file", { target: "_blank", rel: "noopener" });
    el.innerHTML = FILE_ICON; // a constant
    const name = h("span", "rc-file-name");
    const size = h("span", "rc-file-size");
    const text = h("span", "rc-file-text");
    text.append(name, size);
    el.append(text);
    return {
      kind: "file",
      el,
      body: null,
      update(p) {
        setAttr(el, "href", safeUrl(p["src"]));
        const n = str(p["name"], "file");
        el.download = n;
        name.textContent = n;
        const s = p["size"];
        size.textContent = typeof s === "number" ? fmtSize(s) : "";
      },
    };
  },

  gallery() {
    const el = h("div", "rc-gallery");
    return {
      kind: "gallery",
      el,
      body: null,
      update(p) {
        const items = Array.isArray(p["items"]) ? p["items"] : [];
        const pics = items.map((x) => picOf(isMap(x) ? x : {})).filter((x) => x.src);
        const cols = p["columns"];
        el.style.gridTemplateColumns =
          typeof cols === "number" && cols >= 1 ? `repeat(${Math.min(Math.floor(cols), 12)},minmax(0,1fr))` : "";
        el.replaceChildren(
          ...pics.map((pic, i) => {
            const fig = h("figure", "rc-figure");
            const btn = zoomButton(h("img", undefined, { src: pic.src, alt: pic.alt, loading: "lazy" }));
            btn.setAttribute("aria-label", pic.alt || "Open image");
            btn.addEventListener("click", () => openLightbox(pics, i));
            fig.append(btn);
            if (pic.caption) fig.append(h("figcaption", "rc-cap", undefined, pic.caption));
            return fig;
          }),
        );
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

function messageView(id: number): View {
  const el = h("div", "rc-message", { "data-testid": "message" });
  const main = h("div", "rc-main");
  const body = h("div", "rc-content", { "data-testid": "message-content" });
  main.append(body);
  el.append(main);
  let props: Props = {};
  let extras: HTMLElement[] = [];
  let last = false;
  let lastAsst = false;
  /** The feedback shown (set optimistically on a click), and the prop it was last taken from. */
  let fb: string | null = null;
  let fbProp: Value | undefined;
  let menuOpen = false;
  let editor: HTMLElement | null = null;

  const openEditor = (): void => {
    if (editor) return;
    const ta = h("textarea", "rc-edit-input", { "aria-label": "Edit message", rows: "3" });
    ta.value = visibleText(body);
    const save = h("button", "rc-btn rc-primary rc-idle", { type: "button" }, "Save");
    const cancel = h("button", "rc-btn", { type: "button" }, "Cancel");
    save.disabled = busy;
    const row = h("div", "rc-edit-row");
    row.append(cancel, save);
    const ed = (editor = h("div", "rc-editor"));
    ed.append(ta, row);
    const close = (): void => {
      ed.remove();
      editor = null;
      body.hidden = false;
    };
    const commit = (): void => {
      if (busy) return;
      emit(id, "edit", ta.value);
      close();
    };
    save.addEventListener("click", commit);
    cancel.addEventListener("click", close);
    ta.addEventListener("keydown", (e) => {
      if (e.key === "Escape") close();
      else if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) commit();
      else return;
      e.preventDefault();
    });
    body.hidden = true;
    body.after(ed);
    ta.style.height = `${Math.min(ta.scrollHeight + 2, 320)}px`;
    ta.focus();
  };

  const actions = (role: string): HTMLElement | null => {
    const row = h("div", "rc-actions");
    const a = opts.actions;
    const btn = (testid: string, label: string, icon: string, fn: () => void, idle = false, to: HTMLElement = row): HTMLButtonElement => {
      const b = actionButton(testid, label, icon, idle, busy);
      b.addEventListener("click", fn);
      to.append(b);
      return b;
    };
    if (a.copy) {
      const b = btn("copy", "Copy", ICONS.copy, () => {
        emit(id, "copy", null);
        copyShowing(b, visibleText(body));
      });
    }
    if (a.edit === "all" || (a.edit === "user" && role === "user")) btn("edit", "Edit", ICONS.edit, openEditor, true);
    if (a.retry && lastAsst) btn("retry", "Retry", ICONS.retry, () => emit(id, "retry", null), true);
    if (a.undo && last) btn("undo", "Undo", ICONS.undo, () => emit(id, "undo", null), true);
    if (opts.feedback.length && (role === "assistant" || (role === "user" && opts.feedbackOnUser))) {
      const choose = (o: string): void => {
        fb = fb === o ? null : o;
        menuOpen = false;
        emit(id, "feedback", fb);
        refresh();
      };
      const fbBtn = (o: string, icon: string, to: HTMLElement): HTMLButtonElement => {
        const b = btn("feedback", o, icon, () => choose(o), false, to);
        b.dataset["value"] = o;
        b.setAttribute("aria-pressed", String(fb === o));
        return b;
      };
      for (const o of opts.feedback) if (THUMBS.includes(o)) fbBtn(o, o === "Like" ? ICONS.up : ICONS.down, row);
      const more = opts.feedback.filter((o) => !THUMBS.includes(o));
      if (more.length) {
        // The other options live in a small menu, built only while it is open.
        const wrap = h("div", "rc-more");
        const custom = fb !== null && more.includes(fb);
        /** Open or close the menu; `focus`: move focus into it, or back to its button. */
        const toggle = (open: boolean, focus = true): void => {
          if (open === menuOpen) return;
          menuOpen = open;
          refresh();
          if (focus) el.querySelector<HTMLElement>(open ? ".rc-menu > button" : ".rc-more > button")?.focus();
        };
        const m = btn("feedback-more", custom ? `Feedback: ${fb}` : "More feedback", ICONS.flag, () => toggle(!menuOpen), false, wrap);
        m.setAttribute("aria-expanded", String(menuOpen));
        m.setAttribute("aria-pressed", String(custom));
        if (custom) m.append(h("span", undefined, undefined, fb as string));
        if (menuOpen) {
          const menu = h("div", "rc-menu", { role: "group", "aria-label": "Feedback" });
          for (const o of more) fbBtn(o, "", menu).textContent = o;
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
    return row.childElementCount ? row : null;
  };

  const refresh = (): void => {
    const r = str(props["role"]);
    const role = r === "user" || r === "system" ? r : "assistant";
    el.dataset["role"] = role;
    for (const x of extras) x.remove();
    extras = [];
    const add = (x: HTMLElement | null): void => {
      if (!x) return;
      main.append(x);
      extras.push(x);
    };
    const a = avatarOf(opts, role);
    if (a) {
      const av =
        "src" in a
          ? h("img", "rc-avatar", { src: a.src, alt: "", "aria-hidden": "true" })
          : h("span", "rc-avatar", { "aria-hidden": "true" }, a.emoji);
      el.prepend(av);
      extras.push(av);
    }
    if (opts.layout === "panel") {
      const head = h("div", "rc-role", undefined, ROLES[role]);
      main.prepend(head);
      extras.push(head);
    }
    const options = optionsOf(props["options"]);
    if (options.length) {
      const row = h("div", "rc-options");
      for (const o of options) {
        const b = h("button", "rc-option", { type: "button", "data-testid": "option" }, o.label);
        b.addEventListener("click", () => emit(id, "option", o.value));
        row.append(b);
      }
      add(row);
    }
    const t = props["created_at"];
    if (opts.timestamps && typeof t === "number" && isFinite(t)) add(timeEl(t));
    add(actions(role));
  };
  return {
    kind: "message",
    el,
    body,
    update(p) {
      props = p;
      if (p["feedback"] !== fbProp) {
        fbProp = p["feedback"];
        fb = typeof fbProp === "string" ? fbProp : null;
      }
      refresh();
    },
    refresh,
    mark(l, la) {
      if (l === last && la === lastAsst) return;
      last = l;
      lastAsst = la;
      el.toggleAttribute("data-last", l);
      refresh();
    },
  };
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

function timeEl(sec: number): HTMLElement {
  const d = new Date(sec * 1000);
  const time = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  const day = d.toDateString() === new Date().toDateString() ? "" : `${d.toLocaleDateString()} `;
  return h("time", "rc-time", { datetime: d.toISOString(), title: d.toLocaleString() }, day + time);
}

function setAttr(el: Element, name: string, value: string): void {
  if (el.getAttribute(name) === value) return;
  if (value) el.setAttribute(name, value);
  else el.removeAttribute(name);
}

const picOf = (m: { [k: string]: Value }): Pic => ({
  src: safeUrl(m["src"]),
  alt: str(m["alt"]),
  caption: str(m["caption"]),
});

function zoomButton(img: HTMLImageElement): HTMLButtonElement {
  const b = h("button", "rc-zoom", { type: "button" });
  b.append(img);
  return b;
}

function mediaView(kind: "audio" | "video"): View {
  const el = h("div", "rc-media");
  const name = h("div", "rc-cap");
  const m = h(kind, `rc-${kind}`, { controls: "", preload: "metadata" });
  if (kind === "video") m.setAttribute("playsinline", "");
  el.append(name, m);
  return {
    kind,
    el,
    body: null,
    update(p) {
      setAttr(m, "src", safeUrl(p["src"]));
      m.autoplay = p["autoplay"] === true;
      const n = str(p["name"]);
      name.textContent = n;
      name.hidden = !n;
      setAttr(m, "aria-label", n);
    },
  };
}

/** A collapsible block; the user's open/closed choice is remembered per node id (see memory.ts). */
function thoughtView(id: number): View {
  const el = h("div", "rc-thought", { "data-testid": "thought" });
  const head = h("button", "rc-thought-head", { type: "button", "data-testid": "thought-title" });
  const body = h("div", "rc-thought-body", { "data-testid": "thought-body" });
  el.append(head, body);
  let open = true;
  const show = (o: boolean): void => {
    open = o;
    body.hidden = !o;
    head.setAttribute("aria-expanded", String(o));
  };
  head.addEventListener("click", () => {
    show(!open);
    chooseOpen(id, open);
  });
  return {
    kind: "thought",
    el,
    body,
    update(p) {
      const status = thoughtStatus(p["status"]);
      if (status) el.dataset["status"] = status;
      else delete el.dataset["status"];
      const parts: HTMLElement[] = [];
      if (status === "pending") parts.push(h("span", "rc-spinner", { "aria-label": "Running", role: "img" }));
      parts.push(h("span", "rc-thought-name", undefined, str(p["title"])));
      const log = str(p["log"]);
      if (log) parts.push(h("span", "rc-muted", undefined, log));
      const d = p["duration"];
      if (typeof d === "number" && d >= 0) parts.push(h("span", "rc-muted", undefined, fmtDur(d)));
      head.replaceChildren(...parts);
      show(thoughtOpen(status, chosenOpen(id)));
    },
  };
}

/** Typeset math and add copy buttons to code in freshly inserted server HTML. */
function enhance(el: HTMLElement, html: string): void {
  if (html.includes("math-")) typeset(el);
  if (opts.copyCode && html.includes("<pre")) codeButtons(el, true);
}

function codeButtons(root: HTMLElement, on: boolean): void {
  for (const pre of root.querySelectorAll("pre")) {
    let wrap = pre.parentElement;
    if (!wrap?.classList.contains("rc-code")) {
      if (!on) continue;
      wrap = h("div", "rc-code");
      pre.replaceWith(wrap);
      wrap.append(pre);
    }
    const btn = wrap.querySelector(":scope > .rc-copy");
    if (!on) btn?.remove();
    else if (!btn) wrap.append(copyButton(pre));
  }
}

function copyButton(pre: HTMLElement): HTMLElement {
  const b = h("button", "rc-copy", { type: "button", "data-testid": "copy-code", "aria-label": "Copy code" }, "Copy");
  let timer = 0;
  b.addEventListener("click", () => {
    void copyText(pre.textContent ?? "").then((ok) => {
      b.textContent = ok ? "Copied" : "Copy failed";
      clearTimeout(timer);
      timer = setTimeout(() => (b.textContent = "Copy"), 1500);
    });
  });
  return b;
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
        const part = html.slice(i ? cuts[i - 1] : 0, cuts[i]);
        setHtml(b, part);
        enhance(b, part);
        el.insertBefore(b, tail);
        blockEls.push(b);
        ends.push(cuts[i] as number);
      }
      const t = html.slice(cuts.length ? cuts[cuts.length - 1] : 0);
      if (t !== tailHtml) {
        setHtml(tail, (tailHtml = t));
        enhance(tail, t);
      }
    },
    refresh: () => codeButtons(el, opts.copyCode),
  };
}

function genericView(kind: string): View {
  const el = h("div", "rc-node", { "data-kind": kind });
  return { kind, el, body: el, update() {} };
}

export function createView(kind: string, id: number): View {
  const f = Object.prototype.hasOwnProperty.call(factories, kind) ? factories[kind] : undefined;
  return f ? f(id) : genericView(kind);
}
