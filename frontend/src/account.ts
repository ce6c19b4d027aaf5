// The account block at the foot of the side panel: who is signed in and a sign-out button, or a sign-in link for
// an anonymous visitor of an app that allows them. What it shows comes from the page's `data-account` (the
// server writes it on #rc-root only when sign-in is on), read defensively: anything malformed shows nothing.
import { h } from "./dom";
import { cookieValue } from "./files";

export interface AccountUser {
  name: string;
  email: string | null;
}

/** `data-account`: the signed-in user (null: anonymous), and the sign-in and sign-out URLs (null: none). */
export interface Account {
  user: AccountUser | null;
  signIn: string | null;
  signOut: string | null;
}

/** What the block does outside itself (the browser's, unless a test gives its own). */
export interface AccountEnv {
  post(url: string, init: RequestInit): Promise<{ ok: boolean; status: number }>;
  assign(url: string): void;
  cookie(): string;
  pathname(): string;
}

const BROWSER: AccountEnv = {
  post: (url, init) => fetch(url, init),
  assign: (url) => location.assign(url),
  cookie: () => document.cookie,
  pathname: () => location.pathname,
};

const MAX_TEXT = 200;

const text = (v: unknown): string | null => (typeof v === "string" && v.trim() ? v.trim().slice(0, MAX_TEXT) : null);

/** A URL of this site's own (a path: "/x", not "//host/x" or "/\host", which browsers read as another host). */
const ownPath = (v: unknown): string | null =>
  typeof v === "string" && /^\/(?![/\\])/.test(v) && !/[\s\\]/.test(v) ? v : null;

/** `data-account` parsed and checked; null (show nothing) when it is absent or not the shape the server sends. */
export function parseAccount(raw: string | null | undefined): Account | null {
  if (!raw) return null;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    console.warn("reactchat: data-account is not JSON", raw);
    return null;
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  let user: AccountUser | null = null;
  const u = o["user"];
  if (typeof u === "object" && u !== null && !Array.isArray(u)) {
    const r = u as Record<string, unknown>;
    const email = text(r["email"]);
    const name = text(r["name"]) ?? email;
    if (name !== null) user = { name, email };
  }
  return { user, signIn: ownPath(o["signIn"]), signOut: ownPath(o["signOut"]) };
}

/** The sign-in URL that brings the visitor back to `pathname` afterwards. */
export function signInHref(signIn: string, pathname: string): string {
  return `${signIn}${signIn.includes("?") ? "&" : "?"}next=${encodeURIComponent(pathname)}`;
}

/** The block for the side panel's "account" slot; null when there is nothing to show. */
export function accountBlock(account: Account | null, env: AccountEnv = BROWSER): HTMLElement | null {
  if (!account) return null;
  const { user, signIn, signOut } = account;
  const el = h("div", "rc-account", { "data-testid": "account" });
  if (!user) {
    if (signIn === null) return null;
    const href = signInHref(signIn, env.pathname());
    const a = h("a", "rc-btn rc-account-in", { "data-testid": "sign-in", href }, "Sign in");
    // The URL follows the conversation shown (history.pushState): bring the visitor back to the one they are on.
    const refresh = () => a.setAttribute("href", signInHref(signIn, env.pathname()));
    a.addEventListener("click", refresh);
    a.addEventListener("auxclick", refresh);
    el.append(a);
    return el;
  }
  const who = h("div", "rc-account-who");
  const name = h("span", "rc-account-name", { "data-testid": "user" }, user.name);
  if (user.email) name.title = user.email;
  who.append(name);
  if (user.email && user.email !== user.name) who.append(h("span", "rc-account-email", undefined, user.email));
  el.append(h("span", "rc-account-avatar", { "aria-hidden": "true" }, initial(user.name)), who);
  if (signOut !== null) {
    const error = h("p", "rc-account-error", { role: "alert" });
    error.hidden = true;
    const out = (label: string, testid: string, everywhere: boolean): HTMLButtonElement => {
      const button = h("button", "rc-btn rc-account-out", { type: "button", "data-testid": testid }, label);
      button.addEventListener("click", () => {
        buttons.forEach((b) => (b.disabled = true));
        error.hidden = true;
        const init: RequestInit = {
          method: "POST",
          credentials: "same-origin",
          headers: { "X-Xsrftoken": cookieValue(env.cookie(), "_xsrf") },
        };
        if (everywhere) {
          init.headers = { ...init.headers, "Content-Type": "application/x-www-form-urlencoded" };
          init.body = "everywhere=1";
        }
        env
          .post(signOut, init)
          .then((r) => {
            if (!r.ok) throw new Error(`the server answered ${r.status}`);
            env.assign("/");
          })
          .catch((err: unknown) => {
            error.textContent = `Could not sign out: ${err instanceof Error ? err.message : String(err)}`;
            error.hidden = false;
            buttons.forEach((b) => (b.disabled = false));
          });
      });
      return button;
    };
    // "Everywhere" ends the user's sign-ins on every browser (a lost laptop, a shared computer).
    const buttons = [
      out("Sign out", "sign-out", false),
      out("Sign out everywhere", "sign-out-everywhere", true),
    ];
    el.append(...buttons, error);
  }
  return el;
}

/** The name's first letter (a whole character, not half of a surrogate pair), upper-cased. */
function initial(name: string): string {
  return (Array.from(name)[0] ?? "?").toUpperCase();
}
