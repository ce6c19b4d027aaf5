// Pure helpers (no DOM) behind the interactions: chat actions, feedback, examples, options, file checks,
// copy-all text and the composer's prompt history.
import { fmtSize, safeUrl } from "./format";
import { isMap, type Value } from "./protocol";

const strs = (v: Value | undefined): string[] | null =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : null;

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

/** `feedback_options`: strings; none unless the chat turns feedback on (`rc.chat(feedback=...)`). */
export const feedbackOf = (v: Value | undefined): string[] => strs(v) ?? [];

/** The feedback options drawn as thumbs; the others go in the "more" menu. */
export const THUMBS = ["Like", "Dislike"];

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
 * Whether a file fits `file_types`: "image"/"audio"/"video"/"text" (and "x/*") match the MIME major type,
 * ".ext" the name's extension (any case), a full MIME type matches exactly, "*" anything. No list (or an
 * empty one) allows all.
 */
export function typeAllowed(name: string, mime: string, types: readonly string[] | null): boolean {
  if (!types || !types.length) return true;
  const lname = name.toLowerCase();
  const lmime = mime.toLowerCase();
  const major = lmime.split("/")[0];
  return types.some((t0) => {
    const t = t0.trim().toLowerCase();
    if (t === "*" || t === "*/*") return true;
    if (t.startsWith(".")) return lname.endsWith(t) && lname.length > t.length;
    if (!t.includes("/")) return !!lmime && major === t;
    return t.endsWith("/*") ? major === t.slice(0, -2) : lmime === t;
  });
}

/** Why a file is refused (a sentence naming it), or null when it may be uploaded. */
export function refusal(
  f: { name: string; size: number; type: string },
  types: readonly string[] | null,
  maxSize: number | null,
): string | null {
  if (!typeAllowed(f.name, f.type, types)) {
    return `“${f.name}” is not an accepted file type (accepted: ${(types ?? []).join(", ")}).`;
  }
  if (maxSize !== null && f.size > maxSize) {
    return `“${f.name}” is too large (${fmtSize(f.size)}; the limit is ${fmtSize(maxSize)}).`;
  }
  return null;
}

/** The `accept` attribute for `file_types`. */
export function acceptOf(types: readonly string[] | null): string {
  if (!types || types.some((t) => t === "*" || t === "*/*")) return "";
  return types.map((t) => (t.startsWith(".") || t.includes("/") ? t : `${t}/*`)).join(",");
}

/** `file_types` as a list of strings (null: anything goes). */
export const fileTypesOf = (v: Value | undefined): string[] | null =>
  typeof v === "string" ? [v] : strs(v);

const ROLE_NAMES: Record<string, string> = { user: "User", assistant: "Assistant", system: "System" };

/** The copy-all text: "Role: text" blocks separated by blank lines, then the watermark on its own paragraph. */
export function transcriptText(messages: readonly { role: string; text: string }[], watermark: string): string {
  const blocks = messages
    .map((m) => ({ ...m, text: m.text.trim() }))
    .filter((m) => m.text)
    .map((m) => `${ROLE_NAMES[m.role] ?? m.role}: ${m.text}`);
  if (watermark) blocks.push(watermark);
  return blocks.join("\n\n");
}

/** The `_xsrf` cookie's value from `document.cookie` (empty when unset). */
export function cookieValue(cookie: string, name: string): string {
  for (const part of cookie.split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return "";
}

export const onFirstLine = (text: string, caret: number): boolean => !text.slice(0, caret).includes("\n");
export const onLastLine = (text: string, caret: number): boolean => !text.slice(caret).includes("\n");

export interface KeyStore {
  get(): string | null;
  set(value: string): void;
}

const MAX_HISTORY = 100;

/**
 * The prompts sent in this tab, recalled with ↑/↓ like a shell: ↑ steps back, ↓ forward, and stepping past
 * the newest returns the draft that was being typed.
 */
export class PromptHistory {
  /** Position in the list; `items.length` is the draft. */
  private pos = -1;
  private draft = "";

  constructor(private readonly store: KeyStore) {}

  private items(): string[] {
    try {
      const v: unknown = JSON.parse(this.store.get() ?? "[]");
      return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
    } catch {
      return [];
    }
  }

  push(text: string): void {
    const items = this.items().filter((x) => x !== text);
    items.push(text);
    this.store.set(JSON.stringify(items.slice(-MAX_HISTORY)));
    this.pos = -1;
  }

  /** The older prompt to show in place of `current`, or null at the oldest (or with no history). */
  up(current: string): string | null {
    const items = this.items();
    if (this.pos < 0 || this.pos > items.length) this.pos = items.length;
    if (this.pos === 0) return null;
    if (this.pos === items.length) this.draft = current;
    return items[--this.pos] ?? null;
  }

  /** The newer prompt (or the draft after the newest), or null when already at the draft. */
  down(): string | null {
    const items = this.items();
    if (this.pos < 0 || this.pos >= items.length) return null;
    this.pos++;
    return this.pos === items.length ? this.draft : (items[this.pos] ?? null);
  }

  /** The user typed: the next ↑ starts from the newest prompt again. */
  reset(): void {
    this.pos = -1;
  }
}
