// The chat's examples and a message's preset options.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { exampleCard, examplesOf, optionsOf } from "../src/choices";
import { freshDom } from "./dom";

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

describe("example cards", () => {
  test("one layout with or without an icon: the icon leads, the text and files follow in one body", () => {
    freshDom();
    const [plain, icon, files] = examplesOf([
      { text: "Hi" },
      { text: "long", display_text: "Short", icon: { emoji: "👋" } },
      { text: "img", files: [{ name: "a.png" }] },
    ]).map(exampleCard);
    const shape = (b: HTMLElement | undefined) => [...(b?.children ?? [])].map((c) => c.className);
    assert.deepEqual(shape(plain), ["rc-example-body"]);
    assert.deepEqual(shape(icon), ["rc-example-icon", "rc-example-body"]);
    assert.deepEqual(shape(files), ["rc-example-body"]);
    assert.deepEqual(shape(files?.querySelector(".rc-example-body") as HTMLElement), ["rc-example-text", "rc-example-files"]);
    assert.equal(icon?.querySelector(".rc-example-text")?.textContent, "Short");
    assert.equal(plain?.dataset["testid"], "example");
  });
});
