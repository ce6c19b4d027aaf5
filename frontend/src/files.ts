// Pure rules for attaching files (no DOM): file_types matching, refusals, the accept attribute, the XSRF cookie.
import { fmtSize, strs } from "./format";
import type { Value } from "./protocol";

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

/** The `_xsrf` cookie's value from `document.cookie` (empty when unset). */
export function cookieValue(cookie: string, name: string): string {
  for (const part of cookie.split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return "";
}
