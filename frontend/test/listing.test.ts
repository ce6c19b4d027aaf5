// The conversations node's props as the list and the address bar read them, and the rules on them.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ageGroup, conversationIn, historyMove, type Listing, listing, titleOf } from "../src/listing";

const L = (over: Partial<Listing>): Listing => ({ ...listing({}), ...over });
const items = (...ids: string[]) => ids.map((id) => ({ id, title: null, updatedAt: 0 }));

describe("listing", () => {
  test("keeps well-formed items once each, and fills in what is missing", () => {
    const l = listing({
      items: [
        { id: "a1", title: "A", updated_at: 5 },
        { id: "a1", title: "again", updated_at: 6 },
        { id: "../x", title: "bad id" },
        "junk",
        { id: "b2", title: 3 },
      ],
      active: "a1",
      more: true,
      query: null,
      deleted: { id: "c3" },
    });
    assert.deepEqual(l, {
      items: [
        { id: "a1", title: "A", updatedAt: 5 },
        { id: "b2", title: null, updatedAt: 0 },
      ],
      active: "a1",
      more: true,
      query: "",
      deleted: { id: "c3", title: null },
      path: "/c/a1",
    });
    assert.deepEqual(listing({}), { items: [], active: null, more: false, query: "", deleted: null, path: "/" });
  });

  test("a path must stay on this origin", () => {
    assert.equal(listing({ active: "a1", path: "/c/a1" }).path, "/c/a1");
    assert.equal(listing({ active: "a1", path: "//evil.example/c/a1" }).path, "/c/a1");
    assert.equal(listing({ active: null, path: "https://evil.example/" }).path, "/");
  });

  test("a URL names a conversation only as /c/<id>", () => {
    assert.equal(conversationIn("/c/01HX9abc"), "01HX9abc");
    for (const p of ["/", "/c/", "/c/a-b", "/c/a/", "/x/c/a", `/c/${"a".repeat(65)}`]) assert.equal(conversationIn(p), null, p);
    assert.equal(conversationIn(`/c/${"a".repeat(64)}`), "a".repeat(64));
  });

  test("an untitled chat is called New chat", () => {
    assert.deepEqual([titleOf(null), titleOf(" "), titleOf("Rome")], ["New chat", "New chat", "Rome"]);
  });

  test("age groups count local days", () => {
    const now = new Date(2025, 4, 10, 9, 30);
    const at = (d: number, h = 12) => new Date(2025, 4, d, h).getTime() / 1000;
    assert.equal(ageGroup(at(10, 0), now), "Today");
    assert.equal(ageGroup(at(9, 23), now), "Yesterday");
    assert.equal(ageGroup(at(3), now), "Previous 7 days");
    assert.equal(ageGroup(at(1), now), "Previous 30 days");
    assert.equal(ageGroup(at(1) - 40 * 86400, now), "Older");
  });
});

describe("how the address bar follows the path", () => {
  test("nothing when it already shows it, or when the server's path has not moved", () => {
    const here = L({ active: "a1", path: "/c/a1" });
    assert.equal(historyMove(null, here, "/c/a1"), null);
    // The user went back to /c/b2; the server has not answered yet: do not undo it.
    assert.equal(historyMove(here, { ...here, more: true }, "/c/b2"), null);
  });

  test("replace: the first path seen, a new chat that got stored, the shown chat deleted", () => {
    assert.equal(historyMove(null, L({ path: "/" }), "/c/gone"), "replace");
    const fresh = L({ items: items("a1"), active: null, path: "/" });
    assert.equal(historyMove(fresh, L({ items: items("n9", "a1"), active: "n9", path: "/c/n9" }), "/"), "replace");
    const shown = L({ items: items("a1", "b2"), active: "a1", path: "/c/a1" });
    assert.equal(historyMove(shown, L({ items: items("b2"), deleted: { id: "a1", title: null } }), "/c/a1"), "replace");
  });

  test("push: switching conversations, or to a new chat", () => {
    const shown = L({ items: items("a1", "b2"), active: "a1", path: "/c/a1" });
    assert.equal(historyMove(shown, { ...shown, active: "b2", path: "/c/b2" }, "/c/a1"), "push");
    assert.equal(historyMove(shown, { ...shown, active: null, path: "/" }, "/c/a1"), "push");
    const fresh = L({ items: items("a1"), active: null, path: "/" });
    assert.equal(historyMove(fresh, { ...fresh, active: "a1", path: "/c/a1" }, "/"), "push");
  });
});
