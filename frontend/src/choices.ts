// What the user can pick instead of typing: the chat's examples and a message's preset options.
import { h } from "./dom";
import { safeUrl } from "./format";
import { icon } from "./icons";
import { isMap, type Value } from "./protocol";

export interface Example {
  text: string;
  /** What the example shows: display_text, else text. */
  label: string;
  icon: { src: string } | { emoji: string } | null;
  files: string[];
}

export function examplesOf(v: Value | undefined): Example[] {
  if (!Array.isArray(v)) return [];
  return v.map((x) => {
    const m = isMap(x) ? x : {};
    const text = typeof m["text"] === "string" ? m["text"] : "";
    const d = m["display_text"];
    const ic = isMap(m["icon"]) ? m["icon"] : {};
    const src = safeUrl(ic["src"]);
    const emoji = typeof ic["emoji"] === "string" ? ic["emoji"] : "";
    const files = Array.isArray(m["files"]) ? m["files"] : [];
    return {
      text,
      label: typeof d === "string" && d ? d : text,
      icon: src ? { src } : emoji ? { emoji } : null,
      files: files.map((f) => (isMap(f) && typeof f["name"] === "string" ? f["name"] : "")).filter(Boolean),
    };
  });
}

/** A message's `options`: each `{value, label?}`; the button shows the label, else the value. */
export function optionsOf(v: Value | undefined): { value: Value; label: string }[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isMap).map((m) => {
    const value = m["value"] ?? null;
    const l = m["label"];
    return { value, label: typeof l === "string" && l ? l : typeof value === "string" ? value : JSON.stringify(value) };
  });
}

/**
 * An example's card: one layout for every card, with or without an icon (the icon leads, the text and any
 * files follow it, centred on the card's height), so a row of cards lines up.
 */
export function exampleCard(ex: Example): HTMLButtonElement {
  const b = h("button", "rc-example", { type: "button", "data-testid": "example" });
  const ic = ex.icon;
  if (ic) {
    b.append(
      "src" in ic
        ? h("img", "rc-example-icon", { src: ic.src, alt: "" })
        : h("span", "rc-example-icon", { "aria-hidden": "true" }, ic.emoji),
    );
  }
  const body = h("span", "rc-example-body");
  body.append(h("span", "rc-example-text", undefined, ex.label));
  if (ex.files.length) {
    const fl = h("span", "rc-example-files");
    for (const f of ex.files) {
      const s = h("span", "rc-example-file", undefined, f);
      s.prepend(icon("file"));
      fl.append(s);
    }
    body.append(fl);
  }
  b.append(body);
  return b;
}
