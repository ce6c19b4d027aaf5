// The sidebar (a panel the app places beside the transcript) and the widgets that usually live in it.
import { h, quietForm, str } from "./dom";
import type { Props, Value } from "./protocol";
import type { View, ViewContext } from "./view";

/** The node sits in the tree as a hidden anchor; its children render into `panel`, which the app mounts in its side panel. */
export function sidebarView(): View {
  const el = h("span");
  el.hidden = true;
  const panel = h("div", "rc-side-body");
  return { kind: "sidebar", el, body: panel, panel, update() {} };
}

const num = (v: Value | undefined): number | null => (typeof v === "number" && isFinite(v) ? v : null);

/** A selectbox/radio value from props: an option index, or a label. -1: none. */
function indexOf(v: Value | undefined, labels: string[]): number {
  if (typeof v === "number") return Number.isInteger(v) && v >= 0 && v < labels.length ? v : -1;
  return typeof v === "string" ? labels.indexOf(v) : -1;
}

let uid = 0;

/** A widget by `type`; rebuilt when the type changes, otherwise patched (never while its text is being edited). */
export function widgetView(id: number, ctx: ViewContext): View {
  const { emit } = ctx;
  const el = h("div", "rc-widget", { "data-testid": "widget" });
  let type = "";
  let patch: (p: Props) => void = () => {};
  const build = (p: Props): void => {
    type = str(p["type"]);
    el.dataset["type"] = type;
    const ctl = `rc-w${++uid}`;
    const label = h("label", "rc-wlabel", { for: ctl });
    const help = h("div", "rc-help", { id: `${ctl}-help` });
    const set = (v: Value): void => emit(id, "set", v);
    const described = (c: HTMLElement): void => c.setAttribute("aria-describedby", help.id);
    let parts: HTMLElement[];
    if (type === "button") {
      const b = h("button", "rc-btn rc-wbutton", { type: "button", id: ctl });
      b.addEventListener("click", () => emit(id, "click", null));
      described(b);
      parts = [b];
      patch = (q) => {
        b.textContent = str(q["label"], "Button");
        b.disabled = q["disabled"] === true;
      };
    } else if (type === "checkbox" || type === "toggle") {
      const c = h("input", "rc-check", { type: "checkbox", id: ctl });
      if (type === "toggle") c.setAttribute("role", "switch");
      c.addEventListener("change", () => set(c.checked));
      described(c);
      label.prepend(c);
      parts = [label];
      patch = (q) => {
        c.checked = q["value"] === true;
        c.disabled = q["disabled"] === true;
      };
    } else if (type === "radio") {
      const group = h("div", "rc-radios", { role: "radiogroup", "aria-labelledby": ctl });
      label.removeAttribute("for");
      label.id = ctl;
      described(group);
      parts = [label, group];
      let labels: string[] = [];
      patch = (q) => {
        const next = optionLabels(q["options"]);
        if (JSON.stringify(next) !== JSON.stringify(labels)) {
          labels = next;
          group.replaceChildren(
            ...labels.map((l, i) => {
              const row = h("label", "rc-radio");
              const r = h("input", undefined, { type: "radio", name: ctl, value: String(i) });
              r.addEventListener("change", () => r.checked && set(i));
              row.append(r, l);
              return row;
            }),
          );
        }
        const at = indexOf(q["value"], labels);
        group.querySelectorAll("input").forEach((r, i) => {
          r.checked = i === at;
          r.disabled = q["disabled"] === true;
        });
      };
    } else if (type === "selectbox") {
      const s = h("select", "rc-field", { id: ctl });
      s.addEventListener("change", () => set(s.selectedIndex));
      described(s);
      parts = [label, s];
      let labels: string[] = [];
      patch = (q) => {
        const next = optionLabels(q["options"]);
        if (JSON.stringify(next) !== JSON.stringify(labels)) {
          labels = next;
          s.replaceChildren(...labels.map((l, i) => h("option", undefined, { value: String(i) }, l)));
        }
        s.selectedIndex = indexOf(q["value"], labels);
        s.disabled = q["disabled"] === true;
      };
    } else {
      // text_input, text_area, number_input, slider (and unknown types, as a text input)
      const area = type === "text_area";
      const c = area ? h("textarea", "rc-field", { id: ctl, rows: "3" }) : h("input", "rc-field", { id: ctl });
      const slider = type === "slider";
      const numeric = slider || type === "number_input";
      if (c instanceof HTMLInputElement) c.type = slider ? "range" : numeric ? "number" : "text";
      described(c);
      const out = h("output", "rc-readout", { for: ctl });
      let field: HTMLElement = c;
      if (slider) {
        field = h("div", "rc-slider");
        field.append(c, out);
        c.addEventListener("input", () => (out.textContent = c.value));
      }
      parts = [label, quietForm("rc-quiet", field)]; // typed into: see quietForm
      /** The value the control last showed from props or sent: only a different one is sent. */
      let shown = "";
      const read = (): Value => {
        if (!numeric) return c.value;
        const n = parseFloat(c.value);
        return isFinite(n) ? n : null;
      };
      const commit = (): void => {
        if (c.value === shown) return;
        shown = c.value;
        set(read());
      };
      c.addEventListener(numeric ? "change" : "blur", commit);
      if (numeric) c.addEventListener("blur", commit);
      c.addEventListener("keydown", (e) => {
        const ke = e as KeyboardEvent;
        if (ke.key !== "Enter" || ke.isComposing || (area && !(ke.ctrlKey || ke.metaKey))) return;
        e.preventDefault();
        commit();
      });
      patch = (q) => {
        if (c instanceof HTMLInputElement && numeric) {
          for (const k of ["min", "max", "step"]) {
            const n = num(q[k]);
            if (n === null) c.removeAttribute(k);
            else c.setAttribute(k, String(n));
          }
          if (num(q["step"]) === null && isFraction(q)) c.step = "any";
        }
        c.placeholder = str(q["placeholder"]);
        c.disabled = q["disabled"] === true;
        const v = q["value"];
        const text = v === null || v === undefined ? "" : typeof v === "string" || typeof v === "number" ? String(v) : "";
        if (document.activeElement !== c || c.disabled) {
          c.value = shown = text;
          if (slider) shown = c.value; // the browser clamps a range input to min/max
        }
        out.textContent = c.value;
      };
    }
    el.replaceChildren(...parts, help);
  };
  return {
    kind: "widget",
    el,
    body: null,
    update(p) {
      if (str(p["type"]) !== type || !el.firstChild) build(p);
      const lab = el.querySelector(".rc-wlabel");
      const text = str(p["label"]);
      if (lab) {
        // a checkbox's label wraps the control: keep it, replace the text after it
        if (lab.firstElementChild) lab.replaceChildren(lab.firstElementChild, text);
        else lab.textContent = text;
      }
      const help = el.querySelector(".rc-help") as HTMLElement;
      help.textContent = str(p["help"]);
      help.hidden = !help.textContent;
      el.toggleAttribute("data-disabled", p["disabled"] === true);
      patch(p);
    },
  };
}

function optionLabels(v: Value | undefined): string[] {
  return Array.isArray(v) ? v.map((x) => str(x)) : [];
}

/** A number input or slider without a step whose bounds or value are fractional takes any value. */
function isFraction(p: Props): boolean {
  return ["min", "max", "value"].some((k) => {
    const n = num(p[k]);
    return n !== null && !Number.isInteger(n);
  });
}
