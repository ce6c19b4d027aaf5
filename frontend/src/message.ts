// The message kind: role, avatar, preset options, timestamp, the action row and the in-place editor.
import { actionButton, h, str } from "./dom";
import { avatarOf, THUMBS } from "./chatopts";
import { optionsOf } from "./choices";
import { copyShowing, visibleText } from "./clipboard";
import { ICONS } from "./icons";
import type { Props, Value } from "./protocol";
import type { View, ViewContext } from "./view";

const ROLES: Record<string, string> = { user: "You", assistant: "Assistant", system: "System" };

export function messageView(id: number, ctx: ViewContext): View {
  const { emit } = ctx;
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
    save.disabled = ctx.isBusy();
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
      if (ctx.isBusy()) return;
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
    const opts = ctx.opts;
    const a = opts.actions;
    const btn = (testid: string, label: string, icon: string, fn: () => void, idle = false, to: HTMLElement = row): HTMLButtonElement => {
      const b = actionButton(testid, label, icon, idle, ctx.isBusy());
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
    const opts = ctx.opts;
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

function timeEl(sec: number): HTMLElement {
  const d = new Date(sec * 1000);
  const time = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  const day = d.toDateString() === new Date().toDateString() ? "" : `${d.toLocaleDateString()} `;
  return h("time", "rc-time", { datetime: d.toISOString(), title: d.toLocaleString() }, day + time);
}
