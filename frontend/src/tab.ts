// What this tab keeps across a page reload: its sessionStorage (the reactchat:* keys, one list here) and the
// session's resume token, which the rest belongs to (node ids start over with a new session).
export const KEYS = {
  /** The resume token (the server's HELLO). */
  token: "reactchat:token",
  /** The last user event seq sent, and the events the server has not confirmed yet. */
  evSeq: "reactchat:ev_seq",
  pending: "reactchat:pending",
  /** The prompts sent (the composer's ↑/↓ history). */
  history: "reactchat:history",
  /** The thoughts the user opened or closed, by node id, with the token they belong to. */
  open: "reactchat:open",
} as const;

export function load(key: string): string | null {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

export function save(key: string, value: string | null): void {
  try {
    if (value === null) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, value);
  } catch {
    // Storage may be unavailable (privacy mode, quota); the tab still works in memory until it reloads.
  }
}

/** The token in memory too, for when sessionStorage is unavailable. */
let token: string | null = null;

/** The current session's resume token (null before the first HELLO of a fresh tab). */
export function sessionToken(): string | null {
  return load(KEYS.token) ?? token;
}

export function setSessionToken(t: string): void {
  token = t;
  save(KEYS.token, t);
}
