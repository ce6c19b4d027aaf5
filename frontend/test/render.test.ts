// The renderer: op sequences (the shared fixtures and hand-written turns) patched into a DOM, and what render()
// reports to the page.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { chatOpts } from "../src/chatopts";
import { CHUNK, FAN } from "../src/chunks";
import type { Value, WireNode } from "../src/protocol";
import { Renderer } from "../src/render";
import { Store } from "../src/store";
import { deepAll, freshDom } from "./dom";

interface Fixture {
  name: string;
  initial: WireNode | null;
  frames: unknown[][];
  expected: WireNode;
}

const fixtures = readdirSync(__FIXTURES_DIR__)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f): [string, Fixture] => [f, JSON.parse(readFileSync(`${__FIXTURES_DIR__}/${f}`, "utf8")) as Fixture]);

/** A store and a renderer on a fresh document; `sent` records the events the views emit. */
function mount(initial: WireNode | null = null, busy = false) {
  const document = freshDom();
  const host = document.createElement("div");
  document.body.append(host);
  const store = new Store(initial);
  const sent: [number, string, Value][] = [];
  const renderer = new Renderer(store, host, { emit: (id, a, v) => void sent.push([id, a, v]), isBusy: () => busy });
  const frame = (...ops: unknown[]) => {
    store.applyAll(ops);
    return renderer.render();
  };
  return { document, host, store, renderer, sent, frame };
}

/** The DOM as markup, with the per-page widget ids (rc-w1, rc-w2, ...) made comparable. */
/** The markup of `n`, what sealed chunks hold in their shadow roots written in place (inside the chunk). */
const deepHtml = (n: Node): string => {
  if (n.nodeType !== 1) return n.nodeType === 3 ? (n.textContent ?? "") : "";
  const e = n as Element;
  const attrs = [...e.attributes].map((a) => ` ${a.name}="${a.value}"`).join("");
  const kids = [...(e.shadowRoot?.childNodes ?? []), ...e.childNodes].map(deepHtml).join("");
  return `<${e.localName}${attrs}>${kids}</${e.localName}>`;
};
const markup = (el: Element | null | undefined): string => (el ? deepHtml(el) : "").replace(/rc-w\d+/g, "rc-w");

/** Where the transcript's children are: its body, in its shadow root (src/shadow.ts). */
const bodyOf = (host: Element): HTMLElement => {
  const tr = host.querySelector('[data-testid="transcript"]') as HTMLElement;
  assert.ok(tr.shadowRoot, "the transcript has a shadow root");
  return tr.shadowRoot.querySelector(".rc-body") as HTMLElement;
};

const msg = (id: number, role: string, kids: WireNode[] = [], props: Record<string, Value> = {}): WireNode => [
  id, "message", { role, ...props }, kids,
];
const md = (id: number, html: string, cuts: number[] = []): WireNode => [id, "markdown", { html, cuts }, []];
const root = (...kids: WireNode[]): WireNode => [0, "root", {}, kids];
const roles = (host: Element) =>
  deepAll(host, '[data-testid="message"]').map((m) => m.dataset["role"]);

describe("renderer: the op fixtures", () => {
  for (const [file, fx] of fixtures) {
    test(`${file}: frame by frame, the DOM equals a fresh render of the final tree`, () => {
      const a = mount(fx.initial);
      let panel = a.renderer.render().sidebar ?? null;
      for (const f of fx.frames) {
        const c = a.frame(...f);
        if (c.sidebar !== undefined) panel = c.sidebar;
      }
      const b = mount(fx.expected);
      const fresh = b.renderer.render();
      assert.equal(markup(a.host), markup(b.host));
      assert.equal(markup(panel), markup(fresh.sidebar));
      // The messages, in the order of the expected tree.
      const want: string[] = [];
      const walk = (n: WireNode): void => {
        if (n[1] === "message") want.push(String(n[2]["role"]));
        n[3].forEach(walk);
      };
      walk(fx.expected);
      assert.deepEqual(roles(a.host), want);
    });
  }

  test("MOV reorders the message elements themselves (17_mov_within_parent)", () => {
    const fx = fixtures.find(([f]) => f.startsWith("17_"))?.[1] as Fixture;
    const { host, renderer, frame } = mount(fx.initial);
    renderer.render();
    const before = deepAll(host, '[data-testid="message"]');
    for (const f of fx.frames) frame(...f);
    const after = deepAll(host, '[data-testid="message"]');
    assert.deepEqual(roles(host), ["system", "assistant", "user"]);
    assert.deepEqual(after, [before[2], before[1], before[0]], "moved, not rebuilt");
  });
});

describe("renderer: what render() reports", () => {
  test("the first render reports everything; an idle one nothing", () => {
    const { renderer, frame } = mount();
    const c = renderer.render();
    assert.equal(c.messages, true);
    assert.deepEqual(c.chat?.id, null);
    assert.equal(c.chat?.opts.layout, "bubble");
    assert.deepEqual(c.input, { id: null, props: {} });
    assert.equal(c.sidebar, null);
    assert.deepEqual(frame(), { messages: false });
  });

  test("23_interactions: chat options, the composer's input, the sidebar, run state, moves", () => {
    const fx = fixtures.find(([f]) => f.startsWith("23_"))?.[1] as Fixture;
    const { renderer, frame } = mount(fx.initial);
    const first = renderer.render();
    assert.equal(first.chat?.id, 1);
    assert.equal(first.chat?.opts.actions.retry, true);
    assert.deepEqual(first.chat?.opts.examples.map((e) => e.text), ["Hi"]);
    assert.equal(first.input?.id, 5);
    assert.equal(first.input?.props["placeholder"], "Ask");
    const panel = first.sidebar;
    assert.equal(panel?.className, "rc-side-body", "the widgets' part of the app's side panel");
    assert.equal(panel?.querySelectorAll('[data-testid="widget"]').length, 2);

    const [f1, f2, f3] = fx.frames as [unknown[], unknown[], unknown[]];
    const c1 = frame(...f1);
    assert.equal(c1.run, "running");
    assert.equal(c1.messages, true);
    assert.equal(c1.chat, undefined, "the chat node did not change");
    assert.equal(c1.input, undefined);
    const c2 = frame(...f2);
    assert.equal(c2.run, "idle");
    const c3 = frame(...f3);
    assert.equal(c3.chat?.opts.watermark, "via reactchat");
    assert.deepEqual(c3.chat?.opts.examples, []);
    assert.equal(c3.input?.props["value"], "Hi");
    assert.equal(c3.messages, true);
    assert.equal(c3.run, undefined);
    assert.equal(c3.sidebar, undefined, "a moved sidebar is still the sidebar");
  });

  test("a chat node whose props did not really change is not reported", () => {
    const { renderer, frame } = mount(root([1, "chat", { layout: "panel" }, []]));
    assert.equal(renderer.render().chat?.opts.layout, "panel");
    assert.equal(frame([3, 1, { layout: "panel" }]).chat, undefined);
    assert.equal(frame([3, 1, { layout: "bubble" }]).chat?.opts.layout, "bubble");
    assert.deepEqual(frame([5, 1]).chat, { id: null, opts: chatOpts() }, "back to the defaults");
  });

  test("the overlay is reported when set and when cleared; the sidebar when it goes", () => {
    const { renderer, frame } = mount(root([1, "sidebar", {}, []]));
    assert.ok(renderer.render().sidebar);
    assert.deepEqual(frame([8, { message: "boom", file: "bot.py", line: 3 }]).overlay, {
      message: "boom", file: "bot.py", line: 3,
    });
    assert.equal(frame([8, null]).overlay, null);
    assert.equal(frame([5, 1]).sidebar, null);
  });

  test("the views follow new chat options at once: grouping, panel layout", () => {
    const { host, renderer, frame } = mount(root(
      [1, "chat", {}, []],
      msg(2, "user", [md(3, "<p>a</p>")]),
      msg(4, "user", [md(5, "<p>b</p>")]),
      msg(6, "assistant", [md(7, "<p>c</p>")]),
    ));
    renderer.render();
    const cls = () => deepAll(host, ".rc-message").map((m) =>
      ["rc-cont", "rc-more"].filter((c) => m.classList.contains(c)).join("+"));
    assert.deepEqual(cls(), ["rc-more", "rc-cont", ""]);
    assert.equal(host.querySelectorAll(".rc-role").length, 0);
    frame([3, 1, { group_consecutive_messages: false, layout: "panel" }]);
    assert.deepEqual(cls(), ["", "", ""]);
    assert.deepEqual(deepAll(host, ".rc-role").map((r) => r.textContent), ["You", "You", "Assistant"]);
  });

  test("the last message and the last assistant message are marked as turns arrive", () => {
    const { host, renderer, frame } = mount(root(msg(1, "user"), msg(2, "assistant")));
    renderer.render();
    const last = () => deepAll(host, "[data-last]").map((m) => m.dataset["role"]);
    assert.deepEqual(last(), ["assistant"]);
    frame([2, 0, 2, msg(3, "user")]);
    assert.deepEqual(last(), ["user"]);
    frame([5, 3]);
    assert.deepEqual(last(), ["assistant"]);
  });

  test("a conversations node is reported when it appears, changes or goes, and not on other turns", () => {
    const list = (props: Record<string, Value>): WireNode => [2, "conversations", props, []];
    const { host, renderer, frame } = mount(root(msg(1, "user"), list({ items: [], active: null }), msg(3, "user")));
    const first = renderer.render().conversations;
    assert.equal(first?.id, 2);
    assert.equal(first?.panel?.dataset["testid"], "conversations");
    assert.deepEqual(first?.props, { items: [], active: null });
    const grouped = deepAll(host, ".rc-message").map((m) => m.classList.contains("rc-cont"));
    assert.deepEqual(grouped, [false, true], "it neither sits in the transcript nor breaks a group");
    assert.equal(frame([2, 0, 3, msg(4, "assistant")]).conversations, undefined);
    assert.deepEqual(frame([3, 2, { active: "a1" }]).conversations?.props, { items: [], active: "a1" });
    assert.deepEqual(frame([5, 2]).conversations, { id: null, panel: null, props: null });
  });

  test("placeless kinds stay out of the transcript; a removed node's element goes", () => {
    const { host, renderer, frame } = mount(root([1, "chat", {}, []], msg(2, "user"), [3, "chat_input", {}, []]));
    renderer.render();
    const transcript = bodyOf(host);
    assert.equal(transcript.children.length, 1);
    assert.equal(renderer.hasMessages, true);
    frame([5, 2]);
    assert.equal(transcript.children.length, 0);
    assert.equal(renderer.hasMessages, false);
    assert.deepEqual(renderer.messageEls(), []);
  });
});

describe("the title", () => {
  test("is reported to the page's bar and takes no place in the transcript", () => {
    const { host, frame, renderer } = mount([0, "root", {}, [[1, "title", { text: "Hello" }, []]]]);
    const first = renderer.render();
    assert.equal(first.title, "Hello");
    assert.equal(host.querySelector("h1, header"), null);
    assert.equal(frame([3, 1, { text: "Bye" }]).title, "Bye");
    assert.equal(frame([3, 1, { text: "Bye" }]).title, "Bye");
    assert.equal(frame().title, undefined);
    assert.equal(frame([5, 1]).title, null);
  });
});

describe("a long transcript opening", () => {
  const long = (n: number, from = 1): WireNode[] =>
    Array.from({ length: n }, (_, i) => msg(from + i, i % 2 ? "assistant" : "user", [md(10_000 + from + i, `<p>m${from + i}</p>`)]));
  const texts = (host: Element) => deepAll(host, '[data-testid="message"]').map((m) => m.textContent?.trim());

  test("builds its newest messages at once and the older ones later, in order", () => {
    const { host, renderer, frame } = mount();
    renderer.render();
    frame([0, root(...long(300))]); // a SNAP: the conversation opened
    const first = texts(host);
    assert.ok(first.length < 300 && first.length >= 20, `${first.length} messages built at once`);
    assert.deepEqual(first, Array.from({ length: first.length }, (_, i) => `m${301 - first.length + i}`), "the newest");
    frame([5, 3], [3, 290, { role: "user" }]); // a message still waiting goes; one built changes
    assert.equal(renderer.messageEls().length, 299, "asking for every message builds the rest");
    const all = texts(host);
    assert.deepEqual(all, Array.from({ length: 300 }, (_, i) => `m${i + 1}`).filter((t) => t !== "m3"));
    const final = long(300).filter((n) => n[0] !== 3);
    final[288] = msg(290, "user", [md(10_290, "<p>m290</p>")]);
    const fresh = mount(root(...final));
    fresh.renderer.render();
    fresh.renderer.settle();
    assert.equal(markup(host), markup(fresh.host), "the same DOM as a fresh render of the final tree");
  });

  test("a short one, or a few new messages, are built at once", () => {
    const { host, renderer, frame } = mount(root(...long(150)));
    renderer.render();
    assert.equal(texts(host).length, 150);
    frame(...long(100, 151).map((n, i) => [2, 0, 150 + i, n]));
    assert.equal(texts(host).length, 250);
  });

  test("its messages after the last chunk lose the settled mark once all are built", () => {
    const { host, renderer, frame } = mount();
    renderer.render();
    frame([0, root(...long(300))]);
    renderer.settle(); // the last slice of the older ones, built settled (skipped off screen), then sealing
    const loose = [...bodyOf(host).children].filter((el) => !el.classList.contains("rc-chunk"));
    assert.ok(loose.length > 10, `${loose.length} after the last chunk: more than the newest, built unsettled`);
    // Near the end, each turn's scroll would bring some in or out of reach, styled anew (content-visibility).
    assert.deepEqual(loose.filter((el) => el.hasAttribute("data-settled")), []);
    assert.ok(bodyOf(host).querySelector(".rc-chunk > [data-settled]"), "those in chunks keep theirs");
  });

  test("the rest is built when the page is idle", async () => {
    const { host, renderer, frame } = mount();
    renderer.render();
    frame([0, root(...long(400))]);
    assert.ok(texts(host).length < 400);
    const deadline = Date.now() + 5000;
    while (texts(host).length < 400 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(texts(host), Array.from({ length: 400 }, (_, i) => `m${i + 1}`));
  });
});

describe("a very long transcript opening", () => {
  const msgs = (n: number, from = 1): WireNode[] =>
    Array.from({ length: n }, (_, i) => msg(from + i, (from + i) % 2 ? "user" : "assistant", [md(10_000 + from + i, `<p>m${from + i}</p>`)]));

  test("is sealed as it is built, oldest first: the transcript never holds thousands of children", async () => {
    // As a long first run sends it: a SNAP of what was declared so far, then frames appending more meanwhile.
    const n = 3000;
    const { host, renderer, frame } = mount();
    renderer.render();
    frame([0, root(...msgs(2000))]);
    const tr = bodyOf(host);
    const count = () => deepAll(tr, '[data-testid="message"]').length;
    let most = 0;
    for (let at = 2000; at < n; at += 50) {
      frame(...msgs(50, at + 1).map((m, k) => [2, 0, at + k, m]));
      most = Math.max(most, tr.children.length);
      await new Promise((r) => setTimeout(r, 1));
    }
    const deadline = Date.now() + 20_000;
    while (count() < n && Date.now() < deadline) {
      most = Math.max(most, tr.children.length);
      await new Promise((r) => setTimeout(r, 2));
    }
    assert.equal(count(), n);
    assert.ok(most < 200, `at most ${most} children in the transcript while building`);
    // A chunk holds what was built when it was sealed: the messages built later go after the last chunk (one
    // that took them all held thousands, laid out whole whenever any of it was near the screen).
    const widest = Math.max(...deepAll(tr, ".rc-chunk").map((c) => c.children.length));
    assert.ok(widest <= Math.max(2 * CHUNK, FAN), `a chunk holds ${widest} children`);
    const texts = (h: Element) => deepAll(h, '[data-testid="message"]').map((m) => m.textContent?.trim());
    assert.deepEqual(texts(host), Array.from({ length: n }, (_, i) => `m${i + 1}`));
    const fresh = mount(root(...msgs(n)));
    fresh.renderer.render();
    fresh.renderer.settle();
    const flags = (h: Element) => deepAll(h, ".rc-message").map((m) => m.className);
    assert.deepEqual(flags(host), flags(fresh.host), "grouped as a fresh render groups them");
  });
});

describe("a turn at the end of a long transcript", () => {
  const turn = (n: number): WireNode[] =>
    Array.from({ length: n }, (_, i) => msg(1 + i, i % 2 ? "assistant" : "user", [md(10_001 + i, `<p>m${1 + i}</p>`)]));
  const transcript = bodyOf;
  const texts = (host: Element) => deepAll(host, '[data-testid="message"]').map((m) => m.textContent?.trim());

  test("touches only the new messages and their neighbours, not the earlier ones", () => {
    const { host, renderer, frame } = mount(root(...turn(150)));
    renderer.render();
    const early = deepAll(host, '[data-testid="message"]')[3] as HTMLElement;
    early.classList.add("probe"); // a regroup or a re-placement of every message would not leave this alone
    early.classList.remove("rc-cont", "rc-more");
    frame([2, 0, 150, msg(151, "user", [md(20_151, "<p>q</p>")])], [2, 0, 151, msg(152, "assistant", [md(20_152, "<p>a</p>")])]);
    assert.ok(early.classList.contains("probe"));
    assert.equal(early.className, "rc-message probe", "its grouping flags were not recomputed");
    assert.deepEqual(texts(host).slice(-3), ["m150", "q", "a"]);
  });

  test("seals older messages into chunks, and a fresh render of the same tree builds the same DOM", () => {
    const { host, renderer, frame } = mount(root(...turn(150)));
    renderer.render();
    for (let i = 0; i < 20; i++) {
      const id = 151 + 2 * i;
      frame(
        [2, 0, id - 1, msg(id, "user", [md(20_000 + id, `<p>q${i}</p>`)])],
        [2, 0, id, msg(id + 1, "assistant", [md(20_001 + id, `<p>a${i}</p>`)])],
      );
    }
    const tr = transcript(host);
    const chunks = tr.querySelectorAll(":scope > .rc-chunk").length;
    assert.ok(chunks >= 4, `${chunks} chunks`);
    assert.ok(tr.children.length <= chunks + 3 * 25, `${tr.children.length} children in the transcript`);
    assert.equal(texts(host).length, 190, "every message still shows, in order");
    assert.deepEqual(texts(host).slice(0, 2), ["m1", "m2"]);
    const fresh = mount(root(...turn(150), ...Array.from({ length: 20 }, (_, i) => [
      msg(151 + 2 * i, "user", [md(20_151 + 2 * i, `<p>q${i}</p>`)]),
      msg(152 + 2 * i, "assistant", [md(20_152 + 2 * i, `<p>a${i}</p>`)]),
    ]).flat()));
    fresh.renderer.render();
    assert.deepEqual(texts(fresh.host), texts(host));
    for (const [a, b] of [[host, fresh.host]] as const) {
      // Grouping flags and roles as a fresh render has them (the chunks themselves may fall elsewhere).
      const flags = (h: Element) => deepAll(h, ".rc-message").map((m) => [...m.classList].sort().join(" "));
      assert.deepEqual(flags(a), flags(b));
    }
  });

  test("a change among the sealed messages puts them back in place, then seals again", () => {
    const { host, renderer, frame } = mount(root(...turn(200)));
    renderer.render();
    assert.ok(transcript(host).querySelector(".rc-chunk"), "sealed");
    frame([5, 5], [6, 9, 0, 1], [3, 20, { role: "user" }]); // a DEL, a MOV and a role change among them
    const want = turn(200).filter((n) => n[0] !== 5);
    const moved = want.splice(7, 1)[0] as WireNode; // 9 goes after 1
    want.splice(1, 0, moved);
    want[want.findIndex((n) => n[0] === 20)] = msg(20, "user", [md(10_020, "<p>m20</p>")]);
    const fresh = mount(root(...want));
    fresh.renderer.render();
    assert.deepEqual(texts(host), texts(fresh.host));
    assert.equal(markup(host), markup(fresh.host), "the same DOM, chunks included");
  });

  test("random edits anywhere keep the DOM what a fresh render makes of the tree", () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const { host, renderer, frame, store } = mount(root(...turn(120)));
    renderer.render();
    let next = 1000;
    for (let step = 0; step < 60; step++) {
      const kids = store.get(0)?.children ?? [];
      const ops: unknown[] = [];
      for (let k = 0; k < 1 + rnd(3); k++) {
        const pick = kids[rnd(kids.length)] as number;
        const after = kids[rnd(kids.length)] ?? null;
        const r = rnd(10);
        if (r < 4) ops.push([2, 0, after === pick ? null : after, msg(next, rnd(2) ? "user" : "assistant", [md(next + 50_000, `<p>n${next++}</p>`)])]);
        else if (r < 6) ops.push([5, pick]);
        else if (r < 8 && after !== pick) ops.push([6, pick, 0, after]);
        else ops.push([3, pick, { role: rnd(2) ? "user" : "assistant" }]);
      }
      frame(...ops);
      const snapshot = (id: number): WireNode => {
        const rec = store.get(id) as NonNullable<ReturnType<typeof store.get>>;
        return [id, rec.kind, rec.props, rec.children.map(snapshot)];
      };
      const fresh = mount(snapshot(0));
      fresh.renderer.render();
      assert.deepEqual(texts(host), texts(fresh.host), `step ${step}`);
      const flags = (h: Element) =>
        deepAll(h, ".rc-message").map((m) => `${m.dataset["role"]} ${[...m.classList].sort().join(" ")}`);
      assert.deepEqual(flags(host), flags(fresh.host), `step ${step}: grouping`);
    }
  });
});
