// The conversation list, through the store and renderer: real ops in, the list's DOM and the events it sends out.
import assert from "node:assert/strict";
import { describe, mock, test } from "node:test";
import { SEARCH_MS, UNDO_MS } from "../src/conversations";
import type { Props, Value, WireNode } from "../src/protocol";
import { Renderer } from "../src/render";
import { Store } from "../src/store";
import { freshDom } from "./dom";

const NOW = Date.now() / 1000;
const DAY = 86400;

function mount(initial: WireNode) {
  const document = freshDom();
  const host = document.createElement("div");
  document.body.append(host);
  const store = new Store(initial);
  const sent: [number, string, Value][] = [];
  const renderer = new Renderer(store, host, { emit: (id, a, v) => void sent.push([id, a, v]), isBusy: () => false });
  const changes = renderer.render();
  const panel = changes.conversations?.panel ?? document.createElement("nav");
  document.body.append(panel);
  const frame = (...ops: unknown[]) => {
    store.applyAll(ops);
    return renderer.render();
  };
  const $ = <E extends HTMLElement = HTMLElement>(sel: string) => panel.querySelector<E>(sel) as E;
  const $$ = (sel: string) => [...panel.querySelectorAll<HTMLElement>(sel)];
  const item = (id: string) => $(`[data-testid="conversation"][data-id="${id}"]`);
  const ids = () => $$('[data-testid="conversation"]').map((e) => e.dataset["id"]);
  const titles = () => $$('[data-testid="conversation"] .rc-conv-link').map((e) => e.textContent);
  const current = () => $$('[aria-current="page"]').map((e) => e.dataset["id"]);
  return { host, panel, sent, changes, frame, $, $$, item, ids, titles, current };
}

const convs = (props: Props): WireNode => [1, "conversations", props, []];
const root = (...kids: WireNode[]): WireNode => [0, "root", {}, kids];
const it = (id: string, title: string | null, ago = 0): Value => ({ id, title, updated_at: NOW - ago });
const two = { items: [it("a1", "Trip to Rome"), it("b2", null, 60)], active: "a1", more: false, path: "/c/a1" };

function key(el: HTMLElement, k: string): void {
  const e = new window.Event("keydown");
  Object.assign(e, { key: k });
  el.dispatchEvent(e);
}

function type(el: HTMLInputElement, text: string): void {
  el.value = text;
  el.dispatchEvent(new window.Event("input"));
}

describe("the conversation list", () => {
  test("shows the items newest first, a null title as New chat, the active one as the current page", () => {
    const { host, panel, changes, ids, titles, current, item } = mount(root(convs(two)));
    assert.equal(changes.conversations?.id, 1);
    assert.equal(panel.dataset["testid"], "conversations");
    assert.deepEqual(ids(), ["a1", "b2"]);
    assert.deepEqual(titles(), ["Trip to Rome", "New chat"]);
    assert.deepEqual(current(), ["a1"]);
    assert.equal(item("b2").querySelector("a")?.getAttribute("href"), "/c/b2");
    assert.equal(host.querySelector(".rc-convs"), null, "the list is not in the transcript");
  });

  test("a SET retitles, reorders, moves the current page and drops items, keeping the rows that stay", () => {
    const { frame, ids, titles, current, item } = mount(root(convs(two)));
    const rome = item("a1");
    const c = frame([3, 1, { items: [it("b2", "Pasta"), it("a1", "Trip to Rome", 60)], active: "b2" }]);
    assert.ok(c.conversations, "the app hears the new props");
    assert.deepEqual(ids(), ["b2", "a1"]);
    assert.deepEqual(titles(), ["Pasta", "Trip to Rome"]);
    assert.deepEqual(current(), ["b2"]);
    assert.equal(item("a1"), rome);
    frame([3, 1, { items: [it("b2", "Pasta")], active: null }]);
    assert.deepEqual(ids(), ["b2"]);
    assert.deepEqual(current(), []);
  });

  test("an empty list says so, and says what a search found nothing for", () => {
    const { $, frame } = mount(root(convs({ items: [], active: null })));
    assert.equal($(".rc-conv-empty").textContent, "No chats yet");
    assert.equal($(".rc-conv-empty").hidden, false);
    frame([3, 1, { query: "rome" }]);
    assert.equal($(".rc-conv-empty").textContent, "No chats match “rome”");
    frame([3, 1, { items: [it("a1", "Rome")] }]);
    assert.equal($(".rc-conv-empty").hidden, true);
  });

  test("items are listed under how long ago they changed; search results are not", () => {
    const { $$, frame } = mount(root(convs({ items: [it("a", "x"), it("b", "y", 2 * DAY), it("c", "z", 40 * DAY)] })));
    const groups = () => $$(".rc-conv-list > *").map((e) => e.dataset["id"] ?? e.textContent);
    assert.deepEqual(groups(), ["Today", "a", "Previous 7 days", "b", "Older", "c"]);
    frame([3, 1, { query: "x" }]);
    assert.deepEqual(groups(), ["a", "b", "c"]);
  });

  test("removing the node tells the app the list is gone", () => {
    const { frame } = mount(root(convs(two)));
    assert.deepEqual(frame([5, 1]).conversations, { id: null, panel: null, props: null });
  });
});

describe("clicks on the list", () => {
  test("an item opens it (not the one shown); New chat and delete send theirs on the node", () => {
    const { $, item, sent } = mount(root(convs(two)));
    item("b2").click();
    item("a1").click();
    $('[data-testid="new-conversation"]').click();
    item("b2").querySelector<HTMLElement>('[data-testid="conversation-delete"]')?.click();
    assert.deepEqual(sent, [
      [1, "conversation_open", "b2"],
      [1, "conversation_new", null],
      [1, "conversation_delete", "b2"],
    ]);
  });

  test("a click with a modifier key is left to the link (a new tab), not sent", () => {
    const { item, sent } = mount(root(convs(two)));
    const e = new window.Event("click", { bubbles: true });
    Object.assign(e, { ctrlKey: true });
    item("b2").querySelector("a")?.dispatchEvent(e);
    assert.deepEqual(sent, []);
  });

  test("rename: an input with the title; Enter sends [id, title] and shows it; Escape cancels", () => {
    const { item, titles, sent, frame } = mount(root(convs(two)));
    const rename = (id: string) => {
      item(id).querySelector<HTMLElement>('[data-testid="conversation-rename"]')?.click();
      return item(id).querySelector<HTMLInputElement>("input.rc-conv-rename") as HTMLInputElement;
    };
    let input = rename("a1");
    assert.equal(input.value, "Trip to Rome");
    input.value = "Rome, 2024";
    key(input, "Escape");
    assert.equal(item("a1").querySelector("input"), null);
    assert.deepEqual(titles(), ["Trip to Rome", "New chat"]);

    input = rename("b2");
    assert.equal(input.value, "", "an untitled chat starts empty, not as 'New chat'");
    input.value = "  Pasta  ";
    input.click(); // a click in the input does not open the item
    frame([3, 1, { items: [it("c3", "New one"), it("a1", "Trip to Rome"), it("b2", null, 60)] }]);
    assert.equal(item("b2").querySelector("input"), input, "a new listing keeps the editor");
    key(input, "Enter");
    assert.deepEqual(titles(), ["New one", "Trip to Rome", "Pasta"]);
    assert.deepEqual(sent, [[1, "conversation_rename", ["b2", "Pasta"]]]);
  });

  test("rename: leaving the input saves; an empty or unchanged title sends nothing", () => {
    const { item, sent } = mount(root(convs(two)));
    const open = () => {
      item("a1").querySelector<HTMLElement>('[data-testid="conversation-rename"]')?.click();
      return item("a1").querySelector<HTMLInputElement>("input") as HTMLInputElement;
    };
    let input = open();
    input.dispatchEvent(new window.Event("blur"));
    input = open();
    input.value = " ";
    key(input, "Enter");
    input = open();
    input.value = "Rome";
    input.dispatchEvent(new window.Event("blur"));
    assert.equal(item("a1").querySelector("input"), null);
    assert.deepEqual(sent, [[1, "conversation_rename", ["a1", "Rome"]]]);
  });
});

describe("export", () => {
  test("opens a menu of downloads for its item only; a link downloads and closes it; any other click closes it", () => {
    mock.timers.enable({ apis: ["setTimeout"] });
    try {
      const { item, sent } = mount(root(convs(two)));
      const menu = (id: string) => item(id).querySelector<HTMLElement>(".rc-conv-export") as HTMLElement;
      const button = (id: string) => item(id).querySelector<HTMLElement>('[data-testid="export"]') as HTMLElement;
      assert.equal(menu("a1").hidden, true);
      button("b2").click();
      assert.equal(menu("b2").hidden, false);
      assert.equal(button("b2").getAttribute("aria-expanded"), "true");
      const links = [...menu("b2").querySelectorAll<HTMLAnchorElement>("a")];
      assert.deepEqual(
        links.map((a) => [a.dataset["testid"], a.getAttribute("href"), a.hasAttribute("download")]),
        [["export-json", "/_rc/export/b2.json", true], ["export-markdown", "/_rc/export/b2.md", true]],
      );
      button("a1").click();
      assert.deepEqual([menu("a1").hidden, menu("b2").hidden], [false, true], "one menu at a time");
      button("a1").click();
      assert.equal(menu("a1").hidden, true, "export again closes it");
      button("b2").click();
      const e = new window.Event("click", { bubbles: true, cancelable: true });
      links[0]?.dispatchEvent(e);
      assert.equal(e.defaultPrevented, false, "the link downloads; the item does not open");
      mock.timers.tick(0);
      assert.equal(menu("b2").hidden, true);
      button("b2").click();
      item("b2").querySelector<HTMLElement>('[data-testid="conversation-delete"]')?.click();
      assert.equal(menu("b2").hidden, true);
      assert.deepEqual(sent, [[1, "conversation_delete", "b2"]], "export sends nothing: the links are plain downloads");
    } finally {
      mock.timers.reset();
    }
  });
});

describe("undo of a delete", () => {
  test("shows while `deleted` is set, sends conversation_restore, goes when the prop clears", () => {
    const { $, frame, sent } = mount(root(convs(two)));
    assert.equal($('[data-testid="undo-delete"]'), null);
    frame([3, 1, { items: [it("a1", "Trip to Rome")], deleted: { id: "b2", title: "Pasta" } }]);
    assert.match($(".rc-undo").textContent ?? "", /Deleted “Pasta”/);
    $('[data-testid="undo-delete"]').click();
    assert.deepEqual(sent, [[1, "conversation_restore", "b2"]]);
    assert.equal($('[data-testid="undo-delete"]'), null, "gone once clicked");
    frame([3, 1, { deleted: null }]);
    frame([3, 1, { deleted: { id: "b2", title: null } }]);
    assert.match($(".rc-undo").textContent ?? "", /Deleted “New chat”/, "the same chat deleted again is offered again");
    frame([3, 1, { deleted: null }]);
    assert.equal($('[data-testid="undo-delete"]'), null);
  });

  test("goes after 6 s, and an unrelated update does not bring it back; a new delete does", () => {
    mock.timers.enable({ apis: ["setTimeout"] });
    try {
      const { $, frame } = mount(root(convs({ ...two, deleted: { id: "c3", title: "Old" } })));
      assert.ok($('[data-testid="undo-delete"]'));
      mock.timers.tick(UNDO_MS - 1);
      assert.ok($('[data-testid="undo-delete"]'));
      mock.timers.tick(1);
      assert.equal($('[data-testid="undo-delete"]'), null);
      frame([3, 1, { active: "b2" }]);
      assert.equal($('[data-testid="undo-delete"]'), null);
      frame([3, 1, { deleted: { id: "a1", title: "Trip to Rome" } }]);
      assert.match($(".rc-undo").textContent ?? "", /Trip to Rome/);
    } finally {
      mock.timers.reset();
    }
  });
});

describe("search", () => {
  test("waits for a pause in typing, then sends the query once; Escape clears it at once", () => {
    mock.timers.enable({ apis: ["setTimeout"] });
    try {
      const { $, frame, sent } = mount(root(convs(two)));
      const box = $<HTMLInputElement>('[data-testid="conversation-search"]');
      type(box, "ro");
      mock.timers.tick(SEARCH_MS - 50);
      type(box, "rom ");
      mock.timers.tick(SEARCH_MS - 1);
      assert.deepEqual(sent, []);
      mock.timers.tick(1);
      assert.deepEqual(sent, [[1, "conversation_search", "rom"]]);
      frame([3, 1, { query: "rom", items: [it("a1", "Trip to Rome")] }]);
      type(box, "rom");
      mock.timers.tick(SEARCH_MS);
      assert.equal(sent.length, 1, "the query shown is not sent again");
      key(box, "Escape");
      assert.equal(box.value, "");
      assert.deepEqual(sent[1], [1, "conversation_search", ""]);
      mock.timers.tick(SEARCH_MS);
      assert.equal(sent.length, 2);
    } finally {
      mock.timers.reset();
    }
  });

  test("the box shows the query the list answers", () => {
    const { $, frame } = mount(root(convs({ ...two, query: "pasta" })));
    const box = $<HTMLInputElement>('[data-testid="conversation-search"]');
    assert.equal(box.value, "pasta");
    frame([3, 1, { query: null }]);
    assert.equal(box.value, "");
  });
});

describe("paging", () => {
  /** Give the list a geometry (the tests' DOM lays nothing out). */
  function geometry(list: HTMLElement, g: { clientHeight: number; scrollHeight: number; scrollTop: number }) {
    for (const [k, v] of Object.entries(g)) Object.defineProperty(list, k, { configurable: true, writable: true, value: v });
    list.dispatchEvent(new window.Event("scroll"));
  }

  test("scrolling near the end asks for the next page once per page, only while `more` is set", () => {
    const { $, frame, sent } = mount(root(convs({ ...two, more: true })));
    const list = $(".rc-conv-list");
    assert.deepEqual(sent, [], "a list that is not laid out (hidden) asks nothing");
    geometry(list, { clientHeight: 300, scrollHeight: 1000, scrollTop: 100 });
    assert.deepEqual(sent, []);
    geometry(list, { clientHeight: 300, scrollHeight: 1000, scrollTop: 600 });
    geometry(list, { clientHeight: 300, scrollHeight: 1000, scrollTop: 700 });
    assert.deepEqual(sent, [[1, "conversation_more", null]]);
    geometry(list, { clientHeight: 300, scrollHeight: 2000, scrollTop: 700 });
    frame([4, 1, "items", [it("c3", "Older", DAY), it("d4", "Oldest", DAY)], 0]);
    assert.equal(sent.length, 1);
    geometry(list, { clientHeight: 300, scrollHeight: 2000, scrollTop: 1650 });
    assert.deepEqual(sent[1], [1, "conversation_more", null]);
    frame([4, 1, "items", [it("e5", "Last", DAY)], 0], [3, 1, { more: false }]);
    geometry(list, { clientHeight: 300, scrollHeight: 2000, scrollTop: 1700 });
    assert.equal(sent.length, 2);
  });

  test("a list that shows whole asks for the next page when a page arrives", () => {
    const { $, frame, sent } = mount(root(convs(two)));
    geometry($(".rc-conv-list"), { clientHeight: 500, scrollHeight: 500, scrollTop: 0 });
    assert.deepEqual(sent, []);
    frame([3, 1, { more: true }]);
    assert.deepEqual(sent, [[1, "conversation_more", null]]);
  });
});
