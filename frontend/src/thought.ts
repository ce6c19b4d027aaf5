// The thought kind: a collapsible block whose open/closed choice the user makes is remembered (memory.ts).
import { h, str } from "./dom";
import { fmtDur, thoughtOpen, thoughtStatus } from "./format";
import { chooseOpen, chosenOpen } from "./memory";
import type { View } from "./view";

/** A collapsible block; the user's open/closed choice is remembered per node id (see memory.ts). */
export function thoughtView(id: number): View {
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
