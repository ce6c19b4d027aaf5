// What the user can pick instead of typing: the chat's examples and a message's preset options.
import { safeUrl } from "./format";
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
