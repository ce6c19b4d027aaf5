// Store unit tests: APP/cut semantics, dirty tracking, and robustness.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { WireNode } from "../src/protocol";
import { Store, textId } from "../src/store";

const md = (id: number, tail = "", blocks: string[] = []): WireNode => [id, "markdown", { blocks, tail }, []];
const msg = (id: number, role: string, kids: WireNode[] = []): WireNode => [id, "message", { role }, kids];
const root = (...kids: WireNode[]): WireNode => [0, "root", {}, kids];

const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b);

describe("APP", () => {
  test("appends to a string and cuts UTF-16 code units", () => {
    const s = new Store(root(md(1, "<p>ab</p>")));
    s.apply([4, 1, "tail", "c</p>", 4]);
    assert.equal(s.get(1)?.props["tail"], "<p>abc</p>");
    s.apply([4, 1, "tail", "", 7]);
    assert.equal(s.get(1)?.props["tail"], "<p>");
  });

  test("cut of 2 removes one astral character", () => {
    const s = new Store(root([1, "x", { t: "a\u{1F600}" }, []]));
    s.apply([4, 1, "t", "b", 2]);
    assert.equal(s.get(1)?.props["t"], "ab");
  });

  test("cut larger than the string empties it", () => {
    const s = new Store(root([1, "x", { t: "ab" }, []]));
    s.apply([4, 1, "t", "z", 10]);
    assert.equal(s.get(1)?.props["t"], "z");
  });

  test("extends lists without mutating the previous array", () => {
    const blocks = ["<p>a</p>"];
    const s = new Store(root(md(1, "", blocks)));
    const before = s.get(1)?.props["blocks"];
    s.apply([4, 1, "blocks", ["<p>b</p>"], 0]);
    assert.deepEqual(s.get(1)?.props["blocks"], ["<p>a</p>", "<p>b</p>"]);
    assert.deepEqual(before, ["<p>a</p>"]);
    assert.deepEqual(blocks, ["<p>a</p>"]);
  });

  test("missing props start empty", () => {
    const s = new Store(root([1, "x", {}, []]));
    s.apply([4, 1, "t", "hi", 0]);
    s.apply([4, 1, "l", [1, 2], 0]);
    assert.deepEqual(s.get(1)?.props, { t: "hi", l: [1, 2] });
  });
});

describe("dirty tracking", () => {
  test("a fresh store is clean", () => {
    const d = new Store(root(msg(1, "user"))).takeDirty();
    assert.equal(d.reset, false);
    assert.equal(d.props.size + d.children.size + d.inserted.size + d.removed.size, 0);
  });

  test("APP and SET mark only that node's props", () => {
    const s = new Store(root(msg(1, "assistant", [md(2)]), msg(3, "user", [md(4)])));
    s.apply([4, 2, "tail", "x", 0]);
    s.apply([3, 3, { role: "system" }]);
    const d = s.takeDirty();
    assert.deepEqual(sorted(d.props), [2, 3]);
    assert.equal(d.children.size, 0);
    assert.equal(d.inserted.size, 0);
    assert.equal(s.takeDirty().props.size, 0, "takeDirty clears");
  });

  test("INS marks the parent's children and the whole inserted subtree", () => {
    const s = new Store(root(msg(1, "user")));
    s.apply([2, 0, 1, msg(5, "assistant", [md(6)])]);
    const d = s.takeDirty();
    assert.deepEqual(sorted(d.children), [0]);
    assert.deepEqual(sorted(d.inserted), [5, 6]);
    assert.equal(d.props.size, 0);
  });

  test("DEL marks the parent and every removed id, and forgets their other marks", () => {
    const s = new Store(root(msg(1, "user", [md(2), md(3)]), msg(4, "user")));
    s.apply([4, 2, "tail", "x", 0]);
    s.apply([5, 1]);
    const d = s.takeDirty();
    assert.deepEqual(sorted(d.removed), [1, 2, 3]);
    assert.deepEqual(sorted(d.children), [0]);
    assert.equal(d.props.size, 0);
    assert.equal(s.get(2), undefined);
  });

  test("a node inserted then deleted in one batch is not 'inserted'", () => {
    const s = new Store(root());
    s.apply([2, 0, null, msg(1, "user")]);
    s.apply([5, 1]);
    const d = s.takeDirty();
    assert.equal(d.inserted.size, 0);
    assert.deepEqual(sorted(d.removed), [1]);
  });

  test("MOV marks both parents; the moved node keeps its record", () => {
    const s = new Store(root(msg(1, "user", [md(3)]), msg(2, "user")));
    const rec = s.get(3);
    s.apply([6, 3, 2, null]);
    const d = s.takeDirty();
    assert.deepEqual(sorted(d.children), [1, 2]);
    assert.equal(d.removed.size + d.inserted.size, 0);
    assert.equal(s.get(3), rec);
    assert.equal(s.get(3)?.parent, 2);
  });

  test("REP removes the old subtree and inserts the new one", () => {
    const s = new Store(root(msg(1, "user", [md(2)])));
    s.apply([7, 1, msg(7, "assistant", [md(8)])]);
    const d = s.takeDirty();
    assert.deepEqual(sorted(d.removed), [1, 2]);
    assert.deepEqual(sorted(d.inserted), [7, 8]);
    assert.deepEqual(sorted(d.children), [0]);
  });

  test("REP with the same id is both removed (old element) and inserted (new one)", () => {
    const s = new Store(root(msg(1, "user")));
    s.apply([7, 1, [1, "error", { type: "E", message: "m", frames: [] }, []]]);
    const d = s.takeDirty();
    assert.ok(d.removed.has(1) && d.inserted.has(1));
    assert.equal(s.get(1)?.kind, "error");
  });

  test("SNAP sets reset but keeps RUN/ERR flags from earlier in the batch", () => {
    const s = new Store(root(msg(1, "user")));
    s.apply([1, "running"]);
    s.apply([8, { message: "boom", file: "bot.py", line: 1, text: "x" }]);
    s.apply([0, root(msg(2, "user"))]);
    const d = s.takeDirty();
    assert.equal(d.reset, true);
    assert.equal(d.run, true);
    assert.equal(d.overlay, true);
    assert.equal(s.get(1), undefined);
  });

  test("ops on unknown ids mark nothing", () => {
    const s = new Store(root(msg(1, "user")));
    s.applyAll([[3, 9, { a: 1 }], [4, 9, "t", "x", 0], [5, 9], [6, 9, 0, null], [7, 9, md(10)]]);
    const d = s.takeDirty();
    assert.equal(d.props.size + d.children.size + d.inserted.size + d.removed.size, 0);
    assert.equal(s.get(10), undefined);
  });
});

describe("control ops and robustness", () => {
  test("RUN maps to idle/running/error", () => {
    const s = new Store();
    const seen: string[] = [];
    for (const st of ["running", "done", "running", "stopped", "error", "bogus"]) {
      s.apply([1, st]);
      seen.push(s.run);
    }
    assert.deepEqual(seen, ["running", "idle", "running", "idle", "error", "error"]);
  });

  test("ERR sets and clears the overlay; HELLO and NOTE are left to the connection", () => {
    const s = new Store(root(msg(1, "user")));
    s.applyAll([[8, { message: "m", file: "f.py", line: 2, text: "t" }], [9, "tok", 4], [10, "hey"]]);
    assert.equal(s.overlay?.message, "m");
    assert.deepEqual(s.toWire(), root(msg(1, "user")));
    assert.deepEqual(Object.keys(s).filter((k) => /hello|note/i.test(k)), []);
    s.apply([8, null]);
    assert.equal(s.overlay, null);
  });

  test("malformed ops are skipped, never thrown", () => {
    const s = new Store(root(msg(1, "user")));
    const junk: unknown[] = [null, 5, [], [99], [2, 0, null, "x"], [3, 1, null], [4, 1, 2, "x", 0], [6, 1, 1, null], [0, [1]]];
    s.applyAll(junk);
    assert.deepEqual(s.toWire(), root(msg(1, "user")));
  });

  test("DEL of the root is ignored; MOV into own subtree is refused", () => {
    const s = new Store(root(msg(1, "user", [md(2)])));
    s.applyAll([[5, 0], [6, 1, 2, null], [6, 1, 1, null]]);
    assert.deepEqual(s.toWire(), root(msg(1, "user", [md(2)])));
  });

  test("INS after an id that is not a child appends", () => {
    const s = new Store(root(msg(1, "user"), msg(2, "user")));
    s.apply([2, 0, 42, msg(3, "user")]);
    assert.deepEqual(s.get(0)?.children, [1, 2, 3]);
  });

  test("INS of an id already in the tree moves nothing stale along", () => {
    const s = new Store(root(msg(1, "user", [md(2)]), msg(3, "user")));
    s.apply([2, 3, null, md(2, "new")]);
    assert.deepEqual(s.toWire(), root(msg(1, "user"), msg(3, "user", [md(2, "new")])));
  });

  test("toWire is a copy", () => {
    const s = new Store(root(msg(1, "user")));
    const w = s.toWire() as WireNode;
    (w[3][0] as WireNode)[2]["role"] = "system";
    assert.equal(s.get(1)?.props["role"], "user");
  });
});

describe("textFrom", () => {
  test("records the lowest changed offset of string props, 0 for a SET", () => {
    const s = new Store(root([1, "markdown", { html: "<p>abc</p>", cuts: [] }, []]));
    s.takeDirty();
    s.apply([4, 1, "html", "d</p>", 4]);
    s.apply([4, 1, "html", "e</p>", 4]);
    assert.equal(s.takeDirty().textFrom.get(1), 6);
    s.apply([4, 1, "html", "x", 0]);
    s.apply([4, 1, "html", "</p>", 9]); // "<p>abcde</p>x" keeps 13 - 9 = 4 units
    assert.equal(s.takeDirty().textFrom.get(1), 4);
    s.apply([4, 1, "cuts", [5], 0]);
    assert.equal(s.takeDirty().textFrom.has(1), false);
    s.apply([3, 1, { html: "<p>z</p>" }]);
    assert.equal(s.takeDirty().textFrom.get(1), 0);
  });
});

describe("a message holding its text", () => {
  const said = (id: number, html: string, more: Record<string, unknown> = {}): WireNode =>
    [id, "message", { role: "user", html, ...more }, []] as WireNode;

  test("shows it as a markdown record, its first child, apart from its own props", () => {
    const s = new Store(root(said(1, "<p>a</p><p>b</p>", { cuts: [8] }), msg(2, "assistant", [md(3, "x")])));
    assert.deepEqual(s.get(1)?.props, { role: "user" });
    assert.deepEqual(s.get(1)?.children, [textId(1)]);
    assert.deepEqual(s.get(textId(1)), {
      id: textId(1), kind: "markdown", props: { html: "<p>a</p><p>b</p>", cuts: [8] }, children: [], parent: 1,
    });
    assert.deepEqual(s.get(2)?.children, [3]);
  });

  test("a SET of its text patches the record; of its own props, the message alone", () => {
    const s = new Store(root(said(1, "<p>a</p><p>b</p>", { cuts: [8] })));
    s.takeDirty();
    s.apply([3, 1, { html: "<p>c</p>", cuts: null }]);
    assert.deepEqual(s.get(textId(1))?.props, { html: "<p>c</p>" });
    let d = s.takeDirty();
    assert.deepEqual(sorted(d.props), [textId(1)]);
    assert.equal(d.textFrom.get(textId(1)), 0);
    s.apply([3, 1, { feedback: "like" }]);
    d = s.takeDirty();
    assert.deepEqual(sorted(d.props), [1]);
    assert.deepEqual(s.get(1)?.props, { role: "user", feedback: "like" });
    assert.deepEqual(s.get(textId(1))?.props, { html: "<p>c</p>" });
  });

  test("an APP to its html streams into the record", () => {
    const s = new Store(root(said(1, "<p>ab</p>")));
    s.takeDirty();
    s.apply([4, 1, "html", "c</p>", 4]);
    assert.equal(s.get(textId(1))?.props["html"], "<p>abc</p>");
    assert.equal(s.takeDirty().textFrom.get(textId(1)), 5);
    assert.equal(s.get(1)?.props["html"], undefined);
  });

  test("a part put first in it goes after its text; one moved first, too", () => {
    const s = new Store(root(said(1, "<p>a</p>"), md(4, "x")));
    s.apply([2, 1, null, md(5, "part")]);
    assert.deepEqual(s.get(1)?.children, [textId(1), 5]);
    s.apply([6, 4, 1, null]);
    assert.deepEqual(s.get(1)?.children, [textId(1), 4, 5]);
  });

  test("its text going drops the record; coming back, it is made again first among the children", () => {
    const s = new Store(root(said(1, "<p>a</p>")));
    s.apply([3, 1, { html: null }]);
    s.apply([2, 1, null, md(5, "part")]);
    assert.equal(s.get(textId(1)), undefined);
    assert.deepEqual(s.get(1)?.children, [5]);
    s.takeDirty();
    s.apply([3, 1, { html: "<p>back</p>" }]);
    assert.deepEqual(s.get(1)?.children, [textId(1), 5]);
    const d = s.takeDirty();
    assert.ok(d.inserted.has(textId(1)) && d.children.has(1));
    s.apply([5, 1]);
    assert.equal(s.get(textId(1)), undefined);
    assert.ok(s.takeDirty().removed.has(textId(1)));
  });
});
