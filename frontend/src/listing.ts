// The conversations node's props, checked (the Listing the list and the address bar show), and their pure rules.
import { isMap, type Props, type Value } from "./protocol";

/** A stored conversation as the list shows it; `updatedAt` in Unix seconds. */
export interface Item {
  id: string;
  title: string | null;
  updatedAt: number;
}

export interface Listing {
  /** Newest first, no id twice. */
  items: Item[];
  /** The conversation this tab shows; null: a new chat, not stored yet. */
  active: string | null;
  /** More pages exist. */
  more: boolean;
  /** The search the items answer; "" when none. */
  query: string;
  /** The last deleted conversation, while its undo is offered. */
  deleted: { id: string; title: string | null } | null;
  /** The URL path of the active conversation. */
  path: string;
}

/** A conversation id, as it may appear in a URL (`/c/<id>`). */
export const isConversationId = (v: unknown): v is string => typeof v === "string" && /^[0-9A-Za-z]{1,64}$/.test(v);

/** The URL path of a conversation (null: a new chat). */
export const pathOf = (id: string | null): string => (id === null ? "/" : `/c/${id}`);

/** Where a conversation downloads: "json" the whole of it (every version), "md" the branch on screen. */
export const exportPath = (id: string, kind: "json" | "md"): string => `/_rc/export/${id}.${kind}`;

/** The conversation a URL path names, or null. */
export function conversationIn(pathname: string): string | null {
  const m = /^\/c\/([^/]*)$/.exec(pathname);
  return m && isConversationId(m[1]) ? m[1] : null;
}

/** What a conversation is called in the list. */
export const titleOf = (title: string | null): string => (title && title.trim() ? title : "New chat");

const titleIn = (v: Value | undefined): string | null => (typeof v === "string" ? v : null);

/** A same-origin path ("/..." but not "//host"): anything else would make history.pushState throw. */
const isPath = (v: Value | undefined): v is string => typeof v === "string" && /^\/(?!\/)[^?#\s]*$/.test(v);

export function listing(p: Props): Listing {
  const items: Item[] = [];
  const seen = new Set<string>();
  for (const v of Array.isArray(p["items"]) ? p["items"] : []) {
    if (!isMap(v) || !isConversationId(v["id"]) || seen.has(v["id"])) continue;
    seen.add(v["id"]);
    const t = v["updated_at"];
    items.push({ id: v["id"], title: titleIn(v["title"]), updatedAt: typeof t === "number" && isFinite(t) ? t : 0 });
  }
  const active = isConversationId(p["active"]) ? p["active"] : null;
  const d = p["deleted"];
  return {
    items,
    active,
    more: p["more"] === true,
    query: typeof p["query"] === "string" ? p["query"] : "",
    deleted: isMap(d) && isConversationId(d["id"]) ? { id: d["id"], title: titleIn(d["title"]) } : null,
    path: isPath(p["path"]) ? p["path"] : pathOf(active),
  };
}

const DAY = 86400;

/** The heading a conversation is listed under, by how long ago it was last updated (local days). */
export function ageGroup(updatedAt: number, now: Date): string {
  const start = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime() / 1000;
  const t = updatedAt;
  if (t >= start) return "Today";
  if (t >= start - DAY) return "Yesterday";
  if (t >= start - 7 * DAY) return "Previous 7 days";
  if (t >= start - 30 * DAY) return "Previous 30 days";
  return "Older";
}

/**
 * How the address bar follows the server's path: null (it already shows it, or the server's path has not
 * moved, so a back/forward the server has not answered yet is not undone), "replace" (the first path seen,
 * a new chat that just got stored, or the shown conversation was deleted: the old entry leads nowhere), or
 * "push" (the tab switched conversations).
 */
export function historyMove(prev: Listing | null, next: Listing, here: string): "push" | "replace" | null {
  if (next.path === here) return null;
  if (prev === null) return "replace";
  if (next.path === prev.path) return null;
  const was = prev.active;
  if (was === null && next.active !== null && !prev.items.some((i) => i.id === next.active)) return "replace";
  if (was !== null && next.deleted?.id === was) return "replace";
  return "push";
}
