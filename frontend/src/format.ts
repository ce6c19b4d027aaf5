// Pure helpers (no DOM): display options, formatting, URL checks, thought and grouping rules.
import { type Actions, actionsOf, type Example, examplesOf, feedbackOf } from "./interact";
import { isMap, type Props, type Value } from "./protocol";

/** The app's `chat` node props with their defaults (docs/protocol.md). */
export interface ChatOpts {
  layout: "bubble" | "panel";
  height: string;
  minHeight: string;
  maxHeight: string;
  resizable: boolean;
  rtl: boolean;
  placeholder: string;
  description: string;
  avatars: { [role: string]: Value };
  timestamps: boolean;
  group: boolean;
  autoscroll: boolean;
  copyCode: boolean;
  actions: Actions;
  feedback: string[];
  feedbackOnUser: boolean;
  examples: Example[];
  watermark: string;
}

/** A CSS length: numbers are pixels; strings pass through (the CSSOM drops invalid ones). */
export const cssLen = (v: Value | undefined): string =>
  typeof v === "number" && isFinite(v) ? `${v}px` : typeof v === "string" ? v : "";

const flag = (v: Value | undefined, dflt: boolean): boolean => (typeof v === "boolean" ? v : dflt);
const text = (v: Value | undefined): string => (typeof v === "string" ? v : "");

export function chatOpts(p: Props = {}): ChatOpts {
  return {
    layout: p["layout"] === "panel" ? "panel" : "bubble",
    height: cssLen(p["height"]),
    minHeight: cssLen(p["min_height"]),
    maxHeight: cssLen(p["max_height"]),
    resizable: flag(p["resizable"], false),
    rtl: flag(p["rtl"], false),
    placeholder: text(p["placeholder"]),
    description: text(p["description"]),
    avatars: isMap(p["avatars"]) ? p["avatars"] : {},
    timestamps: flag(p["show_timestamps"], false),
    group: flag(p["group_consecutive_messages"], true),
    autoscroll: flag(p["autoscroll"], true),
    copyCode: flag(p["show_copy_code"], true),
    actions: actionsOf(p["actions"]),
    feedback: feedbackOf(p["feedback_options"]),
    feedbackOnUser: flag(p["feedback_on_user"], false),
    examples: examplesOf(p["examples"]),
    watermark: text(p["watermark"]),
  };
}

/** The avatar for a role: an image URL, an emoji, or nothing. */
export function avatarOf(opts: ChatOpts, role: string): { src: string } | { emoji: string } | null {
  const a = opts.avatars[role];
  if (!isMap(a)) return null;
  const src = safeUrl(a["src"]);
  if (src) return { src };
  const emoji = text(a["emoji"]);
  return emoji ? { emoji } : null;
}

/** "512 B", "1.2 KB", "15 MB" (binary multiples). */
export function fmtSize(bytes: number): string {
  if (!(bytes >= 0)) return "";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let n = bytes;
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  const s = i === 0 ? String(Math.round(n)) : n < 10 ? n.toFixed(1) : String(Math.round(n));
  return `${s} ${units[i]}`;
}

/** "0.4s", "2.3s", "12s", "2m 5s". */
export function fmtDur(sec: number): string {
  if (!(sec >= 0)) return "";
  if (sec < 10) return `${Math.round(sec * 10) / 10}s`;
  if (sec < 60) return `${Math.round(sec)}s`;
  const s = Math.round(sec);
  return `${Math.floor(s / 60)}m ${s % 60}s`;
}

/** Only http(s), blob:, data: and same-origin paths; anything else (javascript:, ...) is dropped. */
export function safeUrl(v: Value | undefined): string {
  if (typeof v !== "string" || !v) return "";
  try {
    const base = typeof location === "undefined" ? "http://localhost/" : location.href;
    return /^(https?|blob|data):$/.test(new URL(v, base).protocol) ? v : "";
  } catch {
    return "";
  }
}

export type ThoughtStatus = "pending" | "done" | "error" | "";

export const thoughtStatus = (v: Value | undefined): ThoughtStatus =>
  v === "pending" || v === "done" || v === "error" ? v : "";

/** Open unless done; the user's own choice, once made, wins. */
export const thoughtOpen = (status: ThoughtStatus, chosen: boolean | undefined): boolean =>
  chosen ?? status !== "done";

/**
 * Grouping of a run of siblings: `roles[i]` is a message's role, or null for anything that breaks a group.
 * Returns per sibling whether it continues the previous one (`cont`) and whether the next continues it (`more`).
 */
export function groupFlags(roles: readonly (string | null)[]): { cont: boolean; more: boolean }[] {
  const out = roles.map((r, i) => ({ cont: r !== null && i > 0 && roles[i - 1] === r, more: false }));
  for (let i = 0; i + 1 < out.length; i++) (out[i] as { more: boolean }).more = (out[i + 1] as { cont: boolean }).cont;
  return out;
}
