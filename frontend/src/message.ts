// The message kind: role, avatar, preset options, timestamp, the action row and the in-place editor.
import { drawActions } from "./actions";
import { avatarOf } from "./chatopts";
import { optionsOf } from "./choices";
import { visibleText } from "./clipboard";
import { h, needsIdle, quietForm, sendsText, str } from "./dom";
import { Feedback } from "./feedback";
import { fmtUsage } from "./format";
import type { Props } from "./protocol";
import type { View, ViewContext } from "./view";

const ROLES: Record<string, string> = { user: "You", assistant: "Assistant", system: "System" };

/** A message's `branch` prop, `[position, count]` (1-based), when it is a valid one. */
function branchOf(v: unknown): [number, number] | null {
  if (!Array.isArray(v) || v.length !== 2) return null;
  const [at, count] = v as unknown[];
  return Number.isInteger(at) && Number.isInteger(count) && 1 <= (at as number) && (at as number) <= (count as number)
    ? [at as number, count as number]
    : null;
}

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
  const feedback = new Feedback(el, () => refresh());
  let editor: HTMLElement | null = null;

  const openEditor = (): void => {
    if (editor) return;
    const ta = h("textarea", "rc-edit-input", { "aria-label": "Edit message", rows: "3" });
    ta.value = visibleText(body);
    const saveEl = h("button", "rc-btn rc-primary", { type: "button", "data-testid": "save-edit-answer" }, "Save");
    const save = needsIdle(saveEl, ctx.isBusy());
    const cancel = h("button", "rc-btn", { type: "button" }, "Cancel");
    const row = h("div", "rc-edit-row");
    row.append(cancel);
    // A stored question keeps its old version beside the new one, which may be kept without an answer.
    if (typeof props["id"] === "string" && props["role"] === "user") {
      const onlyEl = h("button", "rc-btn", { type: "button", "data-testid": "save-edit" }, "Save only");
      const only = needsIdle(onlyEl, ctx.isBusy());
      only.addEventListener("click", () => commit(false));
      row.append(only);
    }
    row.append(save);
    const ed = (editor = quietForm("rc-editor"));
    ed.append(ta, row);
    const close = (): void => {
      ed.remove();
      editor = null;
      body.hidden = false;
    };
    const commit = (answer = true): void => {
      if (ctx.isBusy()) return;
      emit(id, "edit", answer ? ta.value : { text: ta.value, answer: false });
      close();
    };
    save.addEventListener("click", () => commit());
    cancel.addEventListener("click", close);
    ta.addEventListener("keydown", (e) => {
      if (e.key === "Escape") close();
      else if (sendsText(e)) commit();
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
    const o = ctx.opts;
    drawActions(row, "message", {
      id,
      role,
      last,
      lastAssistant: lastAsst,
      settings: o.actions,
      busy: ctx.isBusy(),
      emit: ctx.emit,
      text: () => visibleText(body),
      edit: openEditor,
      feedback: { options: o.feedback, onUser: o.feedbackOnUser, state: feedback },
      branch: branchOf(props["branch"]),
      stored: typeof props["id"] === "string" && props["id"] !== "",
    });
    return row.childElementCount ? row : null;
  };

  const refresh = (): void => {
    const r = str(props["role"]);
    const role = r === "user" || r === "system" ? r : "assistant";
    el.dataset["role"] = role;
    setData(el, "id", props["id"]); // a stored message's id
    setData(el, "status", props["status"]); // interrupted, stopped or error when not plainly done
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
    const usage = opts.usage ? fmtUsage(props["usage"]) : "";
    if (usage) add(h("div", "rc-usage", { "data-testid": "usage", title: "Tokens used" }, usage));
    add(actions(role));
  };
  return {
    kind: "message",
    el,
    body,
    update(p) {
      props = p;
      feedback.sync(p["feedback"]);
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

function setData(el: HTMLElement, name: string, value: unknown): void {
  if (typeof value === "string" && value) el.dataset[name] = value;
  else delete el.dataset[name];
}

function timeEl(sec: number): HTMLElement {
  const d = new Date(sec * 1000);
  const time = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  const day = d.toDateString() === new Date().toDateString() ? "" : `${d.toLocaleDateString()} `;
  return h("time", "rc-time", { datetime: d.toISOString(), title: d.toLocaleString() }, day + time);
}
