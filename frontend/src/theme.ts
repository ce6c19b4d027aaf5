// The app's theme from `rc.chat(theme=...)`: a stylesheet the server built from checked values (plus the app's
// own extra CSS), set as a style element's text (never parsed as HTML), and a fixed light or dark mode over the
// page's own (the page's mode comes from reactchat.toml, in the HTML).
import { isMap, type Value } from "./protocol";

export interface ThemeOpts {
  css: string;
  mode: "" | "light" | "dark";
}

export function themeOf(v: Value | undefined): ThemeOpts {
  const m = isMap(v) ? v : {};
  const mode = m["mode"];
  return {
    css: typeof m["css"] === "string" ? m["css"] : "",
    mode: mode === "light" || mode === "dark" ? mode : "",
  };
}

const ID = "rc-theme";

/** Apply `t` to `doc`: its stylesheet after reactchat's own, its mode (or the page's again when it has none). */
export function applyTheme(doc: Document, t: ThemeOpts): void {
  const root = doc.documentElement;
  let style = doc.getElementById(ID);
  if (t.css) {
    if (!style) {
      style = doc.createElement("style");
      style.id = ID;
      doc.head.append(style);
    }
    if (style.textContent !== t.css) style.textContent = t.css;
  } else style?.remove();
  // The page's own mode, from the server, is kept aside the first time an app's mode replaces it.
  if (root.dataset["pageMode"] === undefined) root.dataset["pageMode"] = root.dataset["mode"] ?? "";
  const mode = t.mode || root.dataset["pageMode"];
  if (mode) root.dataset["mode"] = mode;
  else delete root.dataset["mode"];
}
