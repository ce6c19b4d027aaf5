// The connection's own ops: HELLO (resume token, last event seq) and NOTE, which the store skips.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { controlOps, hello } from "../src/connection";

describe("control ops", () => {
  test("HELLO and NOTE are recorded", () => {
    const c = controlOps([[8, { message: "m", file: "f.py", line: 2, text: "t" }], [9, "tok", 4], [10, "hey"]]);
    assert.deepEqual(c.hello, { token: "tok", lastEvSeq: 4 });
    assert.deepEqual(c.notes, ["hey"]);
  });

  test("the last HELLO wins, NOTEs keep their order, malformed ones are skipped", () => {
    const c = controlOps([[9, "a", 1], [10, "one"], null, [9, 5, 5], [9, "b", 1.5], [10, 3], [9, "c", 7], [10, "two"]]);
    assert.deepEqual(c.hello, { token: "c", lastEvSeq: 7 });
    assert.deepEqual(c.notes, ["one", "two"]);
    assert.deepEqual(controlOps([[1, "running"], [3, 1, {}]]), { hello: null, notes: [] });
  });
});

describe("hello", () => {
  test("names the conversation of the page's URL, and leaves it out when there is none", () => {
    assert.deepEqual(hello("tok", 3, "tab1", "a1"), ["hello", 1, "tok", 3, "tab1", "a1"]);
    assert.deepEqual(hello(null, -1, "tab1", null), ["hello", 1, null, -1, "tab1"]);
  });
});
