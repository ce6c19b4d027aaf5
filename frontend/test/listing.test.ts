// The conversations node's props as the list reads them, and the rules on them.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ageGroup, listing, titleOf } from "../src/listing";

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
