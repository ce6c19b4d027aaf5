// The chat actions (retry, undo, edit, copy, copy-all, clear) and the `chat.actions` settings that turn them on.
import { isMap, type Value } from "./protocol";

/** `chat.actions` with its defaults: copy and copy-all on, everything else off. */
export interface Actions {
  retry: boolean;
  undo: boolean;
  clear: boolean;
  copy: boolean;
  copyAll: boolean;
  edit: "" | "user" | "all";
}

export function actionsOf(v: Value | undefined): Actions {
  const m = isMap(v) ? v : {};
  const on = (k: string, d: boolean): boolean => (typeof m[k] === "boolean" ? (m[k] as boolean) : d);
  const e = m["edit"];
  return {
    retry: on("retry", false),
    undo: on("undo", false),
    clear: on("clear", false),
    copy: on("copy", true),
    copyAll: on("copy_all", true),
    edit: e === "user" || e === "all" ? e : "",
  };
}
