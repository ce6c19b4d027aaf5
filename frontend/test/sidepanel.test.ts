// The side panel: its slots in order, its toggle, open on wide screens, an overlay closed by a choice on narrow ones.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SidePanel } from "../src/sidepanel";
import { freshDom } from "./dom";

function setup(narrow: boolean) {
  const document = freshDom();
  (globalThis as unknown as { matchMedia: unknown }).matchMedia = () => ({ matches: narrow });
  const app = document.createElement("div");
  const stage = document.createElement("div");
  app.append(stage);
  document.body.append(app);
  const side = new SidePanel(app, stage);
  app.append(side.toggle);
  const part = (cls: string) => {
    const el = document.createElement("div");
    el.className = cls;
    return el;
  };
  return { app, stage, side, part };
}

describe("the side panel", () => {
  test("the conversation list goes above the widgets, whichever comes first; empty, the panel goes", () => {
    const { app, side, part } = setup(false);
    const widgets = part("widgets");
    const list = part("list");
    side.mount("widgets", widgets);
    side.mount("conversations", list);
    assert.deepEqual([...side.el.children].map((c) => c.className), ["list", "widgets"]);
    assert.equal(side.el.parentNode, app);
    assert.equal(side.el.dataset["testid"], "sidebar");
    assert.ok(side.el.hasAttribute("data-conversations"));
    assert.equal(app.dataset["sidebar"], "open", "open at first on a wide screen");
    assert.equal(side.toggle.hidden, false);
    side.mount("conversations", null);
    assert.equal(side.el.hasAttribute("data-conversations"), false);
    side.mount("widgets", null);
    assert.equal(side.el.parentNode, null);
    assert.equal(side.toggle.hidden, true);
    assert.equal(app.dataset["sidebar"], undefined);
  });

  test("the toggle opens and closes it", () => {
    const { app, side, part } = setup(false);
    side.mount("conversations", part("list"));
    side.toggle.click();
    assert.equal(app.dataset["sidebar"], "closed");
    assert.equal(side.el.hidden, true);
    assert.equal(side.toggle.getAttribute("aria-expanded"), "false");
    side.toggle.click();
    assert.equal(side.el.hidden, false);
  });

  test("on a narrow screen it starts closed, and choosing a conversation or tapping the chat closes it", () => {
    const { app, stage, side, part } = setup(true);
    const list = part("list");
    const choice = part("item");
    choice.setAttribute("data-closes-side", "");
    list.append(choice, part("search"));
    side.mount("conversations", list);
    assert.equal(app.dataset["sidebar"], "closed");
    side.toggle.click();
    (list.lastElementChild as HTMLElement).click();
    assert.equal(app.dataset["sidebar"], "open", "the search box keeps it open");
    choice.click();
    assert.equal(app.dataset["sidebar"], "closed");
    side.toggle.click();
    stage.click();
    assert.equal(app.dataset["sidebar"], "closed");
  });
});
