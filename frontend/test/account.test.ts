// The account block: data-account read defensively, who is signed in, signing out (XSRF header, errors shown),
// the sign-in link that brings the visitor back, and its place at the foot of the side panel.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type Account, type AccountEnv, accountBlock, parseAccount, signInHref } from "../src/account";
import { SidePanel } from "../src/sidepanel";
import { freshDom } from "./dom";

interface Post {
  url: string;
  init: RequestInit;
}

/** A browser outside the block: the requests it would send, the pages it would go to, answered by `status`. */
function browser(status: number | Error = 200, path = "/c/abc") {
  const posts: Post[] = [];
  const went: string[] = [];
  const state = { path, status };
  const env: AccountEnv = {
    post: (url, init) => {
      posts.push({ url, init });
      const s = state.status;
      return s instanceof Error ? Promise.reject(s) : Promise.resolve({ ok: s >= 200 && s < 300, status: s });
    },
    assign: (url) => void went.push(url),
    cookie: () => "theme=x; _xsrf=2|aa|bb|17; other=1",
    pathname: () => state.path,
  };
  return { env, posts, went, state };
}

/** Let the promise callbacks of a click run. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

const signedIn: Account = { user: { name: "Ada", email: "ada@example.com" }, signIn: null, signOut: "/_rc/sign-out" };

describe("data-account", () => {
  test("the server's shape is read as it is", () => {
    const raw = JSON.stringify({ user: { name: "Ada", email: "ada@example.com" }, signIn: null, signOut: "/_rc/sign-out" });
    assert.deepEqual(parseAccount(raw), signedIn);
    assert.deepEqual(parseAccount('{"user":null,"signIn":"/_rc/sign-in","signOut":null}'), {
      user: null,
      signIn: "/_rc/sign-in",
      signOut: null,
    });
  });

  test("absent or malformed: nothing", () => {
    for (const raw of [undefined, null, "", "{", "null", "[]", '"x"', "3"]) assert.equal(parseAccount(raw), null, String(raw));
  });

  test("odd fields are dropped, not trusted", () => {
    const a = parseAccount(JSON.stringify({ user: { name: 5, email: ["x"] }, signIn: "https://evil.example/", signOut: 1 }));
    assert.deepEqual(a, { user: null, signIn: null, signOut: null });
    // Only this site's paths: a scheme, "//host" or "/\host" would send the visitor (or the POST) elsewhere.
    for (const url of ["javascript:alert(1)", "//evil.example/x", "/\\evil.example", "sign-in", "/a b"]) {
      assert.equal(parseAccount(JSON.stringify({ user: null, signIn: url, signOut: url }))?.signIn, null, url);
    }
    assert.deepEqual(parseAccount('{"user":{"email":"bo@example.com"}}')?.user, { name: "bo@example.com", email: "bo@example.com" });
    assert.deepEqual(parseAccount('{"user":{"name":"  Bo ","email":""}}')?.user, { name: "Bo", email: null });
    assert.equal(parseAccount('{"user":{"name":" "}}')?.user, null, "a user without a name or email is no user");
  });
});

describe("the account block", () => {
  test("signed in: the name, the email as its title and beside it, and a sign-out button", () => {
    freshDom();
    const el = accountBlock(signedIn, browser().env) as HTMLElement;
    const user = el.querySelector<HTMLElement>('[data-testid="user"]') as HTMLElement;
    assert.equal(user.textContent, "Ada");
    assert.equal(user.title, "ada@example.com");
    assert.equal(el.querySelector(".rc-account-email")?.textContent, "ada@example.com");
    assert.equal(el.querySelector('[data-testid="sign-out"]')?.tagName, "BUTTON");
    assert.equal(el.querySelector('[data-testid="sign-in"]'), null);
  });

  test("a name that is markup stays text", () => {
    const document = freshDom();
    const el = accountBlock({ ...signedIn, user: { name: "<img src=x onerror=alert(1)>", email: null } }, browser().env);
    document.body.append(el as HTMLElement);
    assert.equal(document.querySelector("img"), null);
    assert.equal(document.querySelector('[data-testid="user"]')?.textContent, "<img src=x onerror=alert(1)>");
  });

  test("signing out POSTs with the XSRF cookie echoed, then goes to the start page", async () => {
    freshDom();
    const b = browser(200);
    const el = accountBlock(signedIn, b.env) as HTMLElement;
    const out = el.querySelector<HTMLButtonElement>('[data-testid="sign-out"]') as HTMLButtonElement;
    out.click();
    assert.equal(out.disabled, true, "no second click while the first is on its way");
    await settle();
    assert.equal(b.posts.length, 1);
    const { url, init } = b.posts[0] as Post;
    assert.equal(url, "/_rc/sign-out");
    assert.equal(init.method, "POST");
    assert.equal(init.credentials, "same-origin");
    assert.deepEqual(init.headers, { "X-Xsrftoken": "2|aa|bb|17" });
    assert.deepEqual(b.went, ["/"]);
  });

  test("signing out everywhere says so in the body, with the same XSRF header", async () => {
    freshDom();
    const b = browser(204);
    const el = accountBlock(signedIn, b.env) as HTMLElement;
    const everywhere = el.querySelector<HTMLButtonElement>('[data-testid="sign-out-everywhere"]') as HTMLButtonElement;
    everywhere.click();
    assert.equal((el.querySelector('[data-testid="sign-out"]') as HTMLButtonElement).disabled, true);
    await settle();
    const { url, init } = b.posts[0] as Post;
    assert.equal(url, "/_rc/sign-out");
    assert.equal(init.body, "everywhere=1");
    assert.deepEqual(init.headers, { "X-Xsrftoken": "2|aa|bb|17", "Content-Type": "application/x-www-form-urlencoded" });
    assert.deepEqual(b.went, ["/"]);
  });

  test("a refused or failed sign-out says so and can be tried again", async () => {
    freshDom();
    const b = browser(403);
    const el = accountBlock(signedIn, b.env) as HTMLElement;
    const out = el.querySelector<HTMLButtonElement>('[data-testid="sign-out"]') as HTMLButtonElement;
    const error = el.querySelector<HTMLElement>('[role="alert"]') as HTMLElement;
    assert.equal(error.hidden, true);
    out.click();
    await settle();
    assert.deepEqual(b.went, []);
    assert.equal(error.hidden, false);
    assert.match(error.textContent ?? "", /Could not sign out: the server answered 403/);
    assert.equal(out.disabled, false);
    b.state.status = new Error("Failed to fetch");
    out.click();
    await settle();
    assert.match(error.textContent ?? "", /Could not sign out: Failed to fetch/);
    b.state.status = 200;
    out.click();
    assert.equal(error.hidden, true, "the old error goes when trying again");
    await settle();
    assert.deepEqual(b.went, ["/"]);
  });

  test("signed in without a sign-out URL (a proxy signs in): who, and no button", () => {
    freshDom();
    const el = accountBlock({ ...signedIn, signOut: null }, browser().env) as HTMLElement;
    assert.equal(el.querySelector('[data-testid="user"]')?.textContent, "Ada");
    assert.equal(el.querySelector("button"), null);
  });

  test("anonymous: a sign-in link that comes back to the conversation shown when it is followed", () => {
    freshDom();
    const b = browser(200, "/c/abc");
    const el = accountBlock({ user: null, signIn: "/_rc/sign-in", signOut: null }, b.env) as HTMLElement;
    const a = el.querySelector<HTMLAnchorElement>('a[data-testid="sign-in"]') as HTMLAnchorElement;
    assert.equal(a.getAttribute("href"), "/_rc/sign-in?next=%2Fc%2Fabc");
    b.state.path = "/c/other";
    a.dispatchEvent(new window.Event("click"));
    assert.equal(a.getAttribute("href"), "/_rc/sign-in?next=%2Fc%2Fother");
    assert.equal(el.querySelector('[data-testid="user"]'), null);
  });

  test("anonymous without a sign-in URL, or no account at all: nothing", () => {
    freshDom();
    assert.equal(accountBlock({ user: null, signIn: null, signOut: null }, browser().env), null);
    assert.equal(accountBlock(null, browser().env), null);
  });

  test("sign-in URLs", () => {
    assert.equal(signInHref("/_rc/sign-in", "/"), "/_rc/sign-in?next=%2F");
    assert.equal(signInHref("/_rc/sign-in?x=1", "/c/a b"), "/_rc/sign-in?x=1&next=%2Fc%2Fa%20b");
  });
});

describe("in the side panel", () => {
  test("the account goes at the foot, below the list and the widgets, and alone it shows the panel", () => {
    const document = freshDom();
    (globalThis as unknown as { matchMedia: unknown }).matchMedia = () => ({ matches: false });
    const app = document.createElement("div");
    const stage = document.createElement("div");
    app.append(stage);
    const side = new SidePanel(app, stage);
    const account = accountBlock(signedIn, browser().env);
    side.mount("account", account);
    assert.equal(side.el.parentNode, app);
    assert.equal(side.toggle.hidden, false);
    const list = document.createElement("div");
    const widgets = document.createElement("div");
    side.mount("widgets", widgets);
    side.mount("conversations", list);
    assert.deepEqual([...side.el.children], [list, widgets, account]);
    side.mount("conversations", null);
    side.mount("widgets", null);
    assert.deepEqual([...side.el.children], [account]);
    side.mount("account", null);
    assert.equal(side.el.parentNode, null);
  });
});
