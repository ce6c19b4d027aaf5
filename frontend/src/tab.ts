// What this tab keeps across a page reload: its sessionStorage (the reactchat:* keys, one list here) and the
// session's resume token, which the rest belongs to (node ids start over with a new session).
export const KEYS = {
  /** The resume token (the server's HELLO). */
  token: "reactchat:token",
  /** This tab's own id: the server numbers events per tab (a duplicated tab takes a new one). */
  tab: "reactchat:tab",
  /** The last user event seq sent, and the events the server has not confirmed yet. */
  evSeq: "reactchat:ev_seq",
  pending: "reactchat:pending",
  /** The prompts sent (the composer's ↑/↓ history). */
  history: "reactchat:history",
  /** The thoughts the user opened or closed, by node id, with the token they belong to. */
  open: "reactchat:open",
  /** Set when the socket's refusal (sign-in required) reloaded the page, until a HELLO: reload only once. */
  signInReload: "reactchat:sign_in_reload",
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

function newTabId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

let tab: string | null = null;

/** This tab's id, kept across reloads (sessionStorage) and made on first use. */
export function tabId(): string {
  tab ??= load(KEYS.tab) ?? newTabId();
  save(KEYS.tab, tab);
  return tab;
}

/**
 * Find out whether another open tab already has this tab's id: a duplicated tab copies sessionStorage, id
 * included, and two tabs numbering events under one id would make the server drop one tab's events as the
 * other's. Each tab answers for its id on a BroadcastChannel; a tab that hears its id is taken takes a new
 * one (dropping the copied events, which the first tab owns) and calls `taken`.
 */
export function watchTabId(taken: () => void): void {
  if (typeof BroadcastChannel === "undefined") return;
  const channel = new BroadcastChannel("reactchat:tabs");
  const asked = tabId();
  channel.onmessage = (e: MessageEvent) => {
    const data: unknown = e.data;
    if (typeof data !== "object" || data === null) return;
    const { ask, taken: takenId } = data as { ask?: unknown; taken?: unknown };
    if (ask === tabId()) channel.postMessage({ taken: ask });
    else if (takenId === asked && tab === asked) {
      tab = newTabId();
      save(KEYS.tab, tab);
      save(KEYS.evSeq, null);
      save(KEYS.pending, null);
      taken();
    }
  };
  channel.postMessage({ ask: asked });
}
