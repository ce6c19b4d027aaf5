// The prompt history the composer recalls with ↑/↓.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { onFirstLine, onLastLine, PromptHistory } from "../src/history";

describe("prompt history", () => {
  const mem = () => {
    let v: string | null = null;
    return { get: () => v, set: (x: string) => void (v = x) };
  };

  test("↑ walks back, ↓ forward, past the newest returns the draft", () => {
    const h = new PromptHistory(mem());
    assert.equal(h.up("draft"), null, "no history");
    h.push("one");
    h.push("two");
    h.push("three");
    assert.equal(h.up("draft"), "three");
    assert.equal(h.up("three"), "two");
    assert.equal(h.up("two"), "one");
    assert.equal(h.up("one"), null, "at the oldest");
    assert.equal(h.down(), "two");
    assert.equal(h.down(), "three");
    assert.equal(h.down(), "draft");
    assert.equal(h.down(), null, "at the draft");
  });

  test("a repeated prompt moves to the end; typing restarts from the newest", () => {
    const store = mem();
    const h = new PromptHistory(store);
    h.push("a");
    h.push("b");
    h.push("a");
    assert.deepEqual(JSON.parse(store.get() ?? ""), ["b", "a"]);
    assert.equal(h.up(""), "a");
    h.reset();
    assert.equal(h.up("typed"), "a");
    assert.equal(h.down(), "typed");
  });

  test("shared storage: another instance (a reload) sees the prompts; junk is ignored", () => {
    const store = mem();
    new PromptHistory(store).push("kept");
    assert.equal(new PromptHistory(store).up(""), "kept");
    store.set("{not json");
    assert.equal(new PromptHistory(store).up(""), null);
  });

  test("caret on the first / last line", () => {
    assert.ok(onFirstLine("abc", 2));
    assert.ok(onFirstLine("ab\ncd", 2));
    assert.ok(!onFirstLine("ab\ncd", 3));
    assert.ok(onLastLine("ab\ncd", 3));
    assert.ok(!onLastLine("ab\ncd", 2));
    assert.ok(onFirstLine("", 0) && onLastLine("", 0));
  });
});
