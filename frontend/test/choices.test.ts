// The chat's examples and a message's preset options.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { examplesOf, optionsOf } from "../src/choices";

describe("chat interaction props", () => {
  test("examples: display text, icons, file names", () => {
    const ex = examplesOf([
      { text: "Hi" },
      { text: "long prompt", display_text: "Short", icon: { emoji: "👋" } },
      { text: "img", icon: { src: "/_rc/media/k/1" }, files: [{ name: "a.png", mime: "image/png" }, { mime: "x" }] },
      { text: "bad", icon: { src: "javascript:alert(1)" } },
      "junk",
    ]);
    assert.deepEqual(ex.map((e) => e.label), ["Hi", "Short", "img", "bad", ""]);
    assert.deepEqual(ex.map((e) => e.text), ["Hi", "long prompt", "img", "bad", ""]);
    assert.deepEqual(ex.map((e) => e.icon), [null, { emoji: "👋" }, { src: "/_rc/media/k/1" }, null, null]);
    assert.deepEqual(ex[2]?.files, ["a.png"]);
    assert.deepEqual(examplesOf("x"), []);
  });

  test("message options: label, else value", () => {
    assert.deepEqual(optionsOf([{ value: "yes" }, { value: "n", label: "No" }, { value: 3 }, "junk"]), [
      { value: "yes", label: "yes" },
      { value: "n", label: "No" },
      { value: 3, label: "3" },
    ]);
    assert.deepEqual(optionsOf(undefined), []);
  });
});
