// The app's theme: its stylesheet as a style element's text (never HTML), and its mode over the page's.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { applyTheme, themeOf } from "../src/theme";
import { freshDom } from "./dom";

describe("theme", () => {
  test("the stylesheet is a style element's text: markup in it stays text", () => {
    const doc = freshDom();
    const css = ":root:root:root{--accent:#e11d48}\n/* </style><script>alert(1)</script> */";
    applyTheme(doc, themeOf({ css }));
    const styles = doc.head.querySelectorAll("style");
    assert.equal(styles.length, 1);
    assert.equal(styles[0]?.textContent, css);
    assert.equal(doc.querySelector("script"), null);
    applyTheme(doc, themeOf({ css: "p{}" }));
    assert.equal(doc.head.querySelectorAll("style").length, 1);
    applyTheme(doc, themeOf(undefined));
    assert.equal(doc.head.querySelector("style"), null);
  });

  test("the app's mode wins over the page's; without one the page's comes back", () => {
    const doc = freshDom();
    const root = doc.documentElement;
    root.dataset["mode"] = "dark"; // from reactchat.toml, in the HTML
    applyTheme(doc, themeOf({ css: "", mode: "light" }));
    assert.equal(root.dataset["mode"], "light");
    applyTheme(doc, themeOf({ css: "" }));
    assert.equal(root.dataset["mode"], "dark");
    applyTheme(doc, themeOf({ mode: "sepia" }));
    assert.equal(root.dataset["mode"], "dark");
  });
});
