// Pure formatting and value rules (no DOM): CSS lengths, sizes, durations, safe URLs, thoughts, grouping.
import { isMap, type Value } from "./protocol";

/** A CSS length: numbers are pixels; strings pass through (the CSSOM drops invalid ones). */
export const cssLen = (v: Value | undefined): string =>
  typeof v === "number" && isFinite(v) ? `${v}px` : typeof v === "string" ? v : "";

/** A list's strings (its other items dropped), or null when it is not a list. */
export const strs = (v: Value | undefined): string[] | null =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : null;

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

/** A message's token usage (`{input_tokens, output_tokens, model}`, any part) as "31 in · 17 out · gpt-4o";
 * "" when it has none. */
export function fmtUsage(v: Value | undefined): string {
  if (!isMap(v)) return "";
  const num = (x: Value | undefined): x is number => typeof x === "number" && isFinite(x);
  const parts: string[] = [];
  if (num(v["input_tokens"])) parts.push(`${v["input_tokens"]} in`);
  if (num(v["output_tokens"])) parts.push(`${v["output_tokens"]} out`);
  if (typeof v["model"] === "string" && v["model"]) parts.push(v["model"]);
  return parts.join(" · ");
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
