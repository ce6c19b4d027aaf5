// The views, through the renderer: real op sequences in, the DOM and the events a click sends out.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FOLLOWS } from "../src/actions";
import type { Value, WireNode } from "../src/protocol";
import { Renderer } from "../src/render";
import { Store } from "../src/store";
import { clipboard, deepAll, freshDom } from "./dom";

function mount(initial: WireNode, busy = false) {
  const document = freshDom();
  const host = document.createElement("div");
  document.body.append(host);
  const store = new Store(initial);
  const sent: [number, string, Value][] = [];
  const state = { busy };
  const renderer = new Renderer(store, host, { emit: (id, a, v) => void sent.push([id, a, v]), isBusy: () => state.busy });
  const changes = renderer.render();
  const frame = (...ops: unknown[]) => {
    store.applyAll(ops);
    return renderer.render();
  };
  // Into the transcript's shadow root too (src/shadow.ts).
  const $ = <E extends HTMLElement = HTMLElement>(sel: string) => (deepAll(host, sel)[0] ?? null) as E;
  const $$ = (sel: string) => deepAll(host, sel);
  return { document, host, sent, state, frame, changes, $, $$ };
}

const msg = (id: number, role: string, kids: WireNode[] = [], props: Record<string, Value> = {}): WireNode => [
  id, "message", { role, ...props }, kids,
];
const md = (id: number, html: string, cuts: number[] = []): WireNode => [id, "markdown", { html, cuts }, []];
const chat = (props: Record<string, Value>): WireNode => [1, "chat", props, []];
const root = (...kids: WireNode[]): WireNode => [0, "root", {}, kids];
const testids = (el: Element | null) =>
  [...(el?.querySelectorAll<HTMLElement>("button[data-testid]") ?? [])].map((b) => b.dataset["testid"]);
const actionsOf = (m: Element) => testids(m.querySelector(".rc-actions"));

describe("the transcript", () => {
  test("lives in a shadow root, its body carrying the chat's layout and direction as they change", () => {
    const { host, frame } = mount(root(chat({ layout: "panel", rtl: true }), msg(2, "user", [md(3, "<p>Hi</p>")])));
    const tr = host.querySelector('[data-testid="transcript"]') as HTMLElement;
    const body = tr.shadowRoot?.querySelector(".rc-body") as HTMLElement;
    assert.ok(body, "a body in the transcript's shadow root");
    assert.equal(host.querySelector('[data-testid="message"]'), null, "no message in the light tree");
    assert.equal(body.querySelectorAll('[data-testid="message"]').length, 1);
    assert.deepEqual([body.dataset["layout"], body.dir], ["panel", "rtl"]);
    frame([3, 1, { layout: "bubble", rtl: false }]);
    assert.deepEqual([body.dataset["layout"], body.dir], ["bubble", ""]);
  });
});

describe("message actions, from the one table", () => {
  const turn = root(
    chat({ actions: { retry: true, undo: true, edit: "user", copy: true } }),
    msg(2, "user", [md(3, "<p>Hi</p>")]),
    msg(4, "assistant", [md(5, "<p>Hello</p>")]),
  );

  test("copy on every message, edit on the user's, retry and undo on the last answer", () => {
    const { $$ } = mount(turn);
    const [u, a] = $$('[data-testid="message"]') as [HTMLElement, HTMLElement];
    assert.deepEqual(actionsOf(u), ["copy", "edit"]);
    assert.deepEqual(actionsOf(a), ["copy", "retry", "undo"]);
  });

  test("a new turn moves retry and undo to the new last messages", () => {
    const { $$, frame } = mount(turn);
    frame([2, 0, 4, msg(6, "user", [md(7, "<p>More</p>")])]);
    const [, a, u2] = $$('[data-testid="message"]') as [HTMLElement, HTMLElement, HTMLElement];
    assert.deepEqual(actionsOf(a), ["copy", "retry"]);
    assert.deepEqual(actionsOf(u2), ["copy", "edit", "undo"]);
  });

  test("the settings come from chat.actions: turning copy off and edit to all", () => {
    const { $$, frame } = mount(turn);
    frame([3, 1, { actions: { copy: false, edit: "all" } }]);
    const [u, a] = $$('[data-testid="message"]') as [HTMLElement, HTMLElement];
    assert.deepEqual(actionsOf(u), ["edit"]);
    assert.deepEqual(actionsOf(a), ["edit"]);
  });

  test("clicks send their event on the message; copy puts the text on the clipboard", async () => {
    const { $, sent } = mount(turn);
    $('[data-testid="retry"]').click();
    $('[data-testid="undo"]').click();
    $$click($('[data-testid="message"][data-role="assistant"] [data-testid="copy"]'));
    await Promise.resolve();
    assert.deepEqual(sent, [[4, "retry", null], [4, "undo", null], [4, "copy", null]]);
    assert.equal(clipboard.text, "Hello");
  });

  test("while a run is going, actions that change the transcript start disabled", () => {
    const { $ } = mount(turn, true);
    assert.equal($<HTMLButtonElement>('[data-testid="retry"]').disabled, true);
    assert.equal($<HTMLButtonElement>('[data-testid="edit"]').disabled, true);
    assert.equal($<HTMLButtonElement>('[data-testid="copy"]').disabled, false);
  });

  test("edit opens an editor on the message's text; saving sends it, unless a run started", () => {
    const { $, sent, state } = mount(turn);
    $('[data-testid="edit"]').click();
    const ta = $<HTMLTextAreaElement>(".rc-editor textarea");
    assert.equal(ta.value, "Hi");
    assert.equal($('[data-testid="message-content"]').hidden, true);
    ta.value = "Hi again";
    state.busy = true;
    $(".rc-editor .rc-primary").click();
    assert.deepEqual(sent, []);
    state.busy = false;
    $(".rc-editor .rc-primary").click();
    assert.deepEqual(sent, [[2, "edit", "Hi again"]]);
    assert.equal($(".rc-editor"), null);
  });

  test("a stored question's editor also saves without an answer", () => {
    const { $, sent } = mount(root(
      chat({ actions: { edit: "user" } }),
      msg(2, "user", [md(3, "<p>Hi</p>")], { id: "01STORED" }),
    ));
    $('[data-testid="edit"]').click();
    $<HTMLTextAreaElement>(".rc-editor textarea").value = "Hi, kept";
    $('[data-testid="save-edit"]').click();
    assert.deepEqual(sent, [[2, "edit", { text: "Hi, kept", answer: false }]]);
    $('[data-testid="edit"]').click();
    $<HTMLTextAreaElement>(".rc-editor textarea").value = "Hi, answered";
    $('[data-testid="save-edit-answer"]').click();
    assert.deepEqual(sent[1], [2, "edit", "Hi, answered"]);
  });

  test("an editor of a message that is not stored has no save-only button", () => {
    const { $ } = mount(turn);
    $('[data-testid="edit"]').click();
    assert.equal($('[data-testid="save-edit"]'), null);
    assert.notEqual($('[data-testid="save-edit-answer"]'), null);
  });

  test("retry and edit make the view follow the transcript again", () => {
    assert.deepEqual([...FOLLOWS].sort(), ["edit", "retry"]);
  });
});

describe("the branch pager", () => {
  test("a message with versions shows ‹ i/n ›; the ends are disabled; a click sends -1 or +1", () => {
    const { $, $$, sent, frame } = mount(root(
      msg(2, "user", [md(3, "<p>Hi</p>")]),
      msg(4, "assistant", [md(5, "<p>Hello</p>")], { branch: [2, 2] }),
    ));
    const [u, a] = $$('[data-testid="message"]') as [HTMLElement, HTMLElement];
    assert.equal(u.querySelector('[data-testid="branch"]'), null);
    assert.deepEqual(actionsOf(a).slice(0, 2), ["branch-prev", "branch-next"]);
    assert.equal($('[data-testid="branch-position"]').textContent, "2/2");
    assert.equal($<HTMLButtonElement>('[data-testid="branch-next"]').disabled, true);
    $('[data-testid="branch-prev"]').click();
    assert.deepEqual(sent, [[4, "branch", -1]]);
    frame([3, 4, { branch: [1, 3] }]);
    assert.equal($('[data-testid="branch-position"]').textContent, "1/3");
    assert.equal($<HTMLButtonElement>('[data-testid="branch-prev"]').disabled, true);
    $('[data-testid="branch-next"]').click();
    assert.deepEqual(sent, [[4, "branch", -1], [4, "branch", 1]]);
    frame([3, 4, { branch: [1, 1] }]);  // one version left: no pager
    assert.equal($('[data-testid="branch"]'), null);
  });
});

describe("branch off", () => {
  test("shows on stored messages only; a click sends fork on the message", () => {
    const { $$, sent } = mount(root(
      msg(2, "user", [md(3, "<p>Hi</p>")], { id: "01A" }),
      msg(4, "assistant", [md(5, "<p>Hello</p>")]),
    ));
    const [u, a] = $$('[data-testid="message"]') as [HTMLElement, HTMLElement];
    assert.deepEqual(actionsOf(u), ["copy", "branch-off"]);
    assert.deepEqual(actionsOf(a), ["copy"]);
    u.querySelector<HTMLElement>('[data-testid="branch-off"]')?.click();
    assert.deepEqual(sent, [[2, "fork", null]]);
  });

  test("rc.chat(fork=False) turns it off", () => {
    const { $$ } = mount(root(chat({ actions: { fork: false } }), msg(2, "user", [md(3, "<p>Hi</p>")], { id: "01A" })));
    assert.deepEqual(actionsOf($$('[data-testid="message"]')[0] as HTMLElement), ["copy"]);
  });
});

describe("feedback", () => {
  const withFeedback = root(
    chat({ feedback_options: ["Like", "Dislike", "Spam"] }),
    msg(2, "user", [md(3, "<p>Hi</p>")]),
    msg(4, "assistant", [md(5, "<p>Hello</p>")], { feedback: "Dislike" }),
  );
  const pressed = (host: Element) =>
    deepAll(host, '[data-testid="feedback"]').map(
      (b) => `${b.dataset["value"]}:${b.getAttribute("aria-pressed")}`,
    );

  test("thumbs on answers only, the server's choice pressed, the rest in a menu", () => {
    const { host, $$ } = mount(withFeedback);
    const [u, a] = $$('[data-testid="message"]') as [HTMLElement, HTMLElement];
    assert.deepEqual(actionsOf(u), ["copy"]);
    assert.deepEqual(actionsOf(a), ["copy", "feedback", "feedback", "feedback-more"]);
    assert.deepEqual(pressed(host), ["Like:false", "Dislike:true"]);
  });

  test("a click shows the choice at once and sends it; a second click takes it back", () => {
    const { host, $, sent } = mount(withFeedback);
    $('[data-testid="feedback"][data-value="Like"]').click();
    assert.deepEqual(pressed(host), ["Like:true", "Dislike:false"]);
    $('[data-testid="feedback"][data-value="Like"]').click();
    assert.deepEqual(pressed(host), ["Like:false", "Dislike:false"]);
    assert.deepEqual(sent, [[4, "feedback", "Like"], [4, "feedback", null]]);
  });

  test("the menu opens with the other options; choosing one closes it and labels its button", () => {
    const { $, sent } = mount(withFeedback);
    $('[data-testid="feedback-more"]').click();
    const spam = $('.rc-menu [data-testid="feedback"][data-value="Spam"]');
    assert.equal(spam.textContent, "Spam");
    spam.click();
    assert.equal($(".rc-menu"), null);
    assert.equal($('[data-testid="feedback-more"]').getAttribute("aria-label"), "Feedback: Spam");
    assert.deepEqual(sent, [[4, "feedback", "Spam"]]);
  });

  test("a new value from the server replaces the shown one; user messages get it when the chat says so", () => {
    const { host, $$, frame } = mount(withFeedback);
    frame([3, 4, { feedback: "Like" }], [3, 1, { feedback_on_user: true, feedback_options: ["Like"] }]);
    assert.deepEqual(pressed(host), ["Like:false", "Like:true"]);
    assert.deepEqual(actionsOf($$('[data-testid="message"]')[0] as HTMLElement), ["copy", "feedback"]);
  });
});

describe("the chat bar actions", () => {
  test("the chat scope of the table is not drawn under messages", () => {
    const { $$ } = mount(root(chat({ actions: { clear: true } }), msg(2, "user")));
    assert.deepEqual(actionsOf($$('[data-testid="message"]')[0] as HTMLElement), ["copy"]);
  });
});

describe("other kinds", () => {
  test("media have a download button unless the chat turns downloads off", () => {
    const src = "/_rc/media/k/1";
    const media = (): WireNode[] => [
      [3, "image", { src, alt: "cat" }, []],
      [4, "audio", { src, name: "a.mp3" }, []],
      [5, "video", { src, name: "v.mp4" }, []],
      [6, "gallery", { items: [{ src }, { src: "/_rc/media/k/2" }] }, []],
      [7, "file", { src, name: "report.pdf" }, []],
    ];
    const { $, $$, frame } = mount(root(chat({}), msg(2, "assistant", media())));
    const shown = () => $$('[data-testid="download"]').filter((a) => !a.hidden);
    assert.equal(shown().length, 5); // image, audio, video, two gallery items
    assert.deepEqual(shown().map((a) => a.getAttribute("href")), [src, src, src, src, "/_rc/media/k/2"]);
    assert.equal(shown()[0]?.getAttribute("download"), "", "the server names the file");
    assert.equal($(".rc-file").getAttribute("download"), "report.pdf");
    frame([3, 1, { allow_file_downloads: false }]);
    assert.equal(shown().length, 0);
    assert.equal($(".rc-file").hasAttribute("download"), false, "the file link only opens it");
    assert.equal($("audio").getAttribute("controlslist"), "nodownload");
  });

  test("a place in line shows how many wait before it, and the page learns the run waits", () => {
    const { $, frame, changes } = mount(root(msg(1, "user", [md(2, "<p>hi</p>")]), [3, "queue", { ahead: 2 }, []]));
    assert.equal(changes.waiting, true);
    assert.equal($('[data-testid="queue-position"]').textContent, "Waiting in line: 2 ahead of you");
    assert.equal(frame([3, 3, { ahead: 0 }]).waiting, undefined, "a move in line is not a change of waiting");
    assert.match($('[data-testid="queue-position"]').textContent ?? "", /you are next/);
    assert.equal(frame([5, 3]).waiting, false);
    assert.equal($('[data-testid="queue-position"]'), null);
  });

  test("markdown keeps finished blocks while the tail streams", () => {
    const { $, $$, frame } = mount(root(msg(1, "assistant", [md(2, "<p>a</p>", [])])));
    assert.equal($(".rc-tail").innerHTML, "<p>a</p>");
    frame([4, 2, "html", "</p>\n<p>b</p>", 4], [4, 2, "cuts", [9], 0]);
    const first = $$(".rc-block")[0];
    assert.equal(first?.innerHTML, "<p>a</p>\n");
    assert.equal($(".rc-tail").innerHTML, "<p>b</p>");
    frame([4, 2, "html", "c</p>", 4]);
    assert.equal($$(".rc-block")[0], first, "a finished block is not redone");
    assert.equal($(".rc-tail").innerHTML, "<p>bc</p>");
  });

  test("a streamed paragraph grows in place: appended text joins its text node, nothing is parsed again", () => {
    const { $, frame } = mount(root(msg(1, "assistant", [md(2, "<p>Here", [])])));
    const p = $(".rc-tail > p");
    const text = p.firstChild;
    frame([12, 2, " is"], [12, 2, " more"]);
    frame([12, 2, " text &amp; &lt;tags&gt;"]);
    assert.equal($(".rc-tail").innerHTML, "<p>Here is more text &amp; &lt;tags&gt;</p>");
    assert.equal($(".rc-tail > p"), p);
    assert.equal(p.firstChild, text);
    assert.equal(p.childNodes.length, 1);
  });

  test("the open block shows what its whole HTML parses to, whichever way it grew", () => {
    const cases: string[][] = [
      ["<p>a</p>", " b"], // after a closing tag the text is not the paragraph's
      ["<p>a <em>b", "</em> c", " d"],
      ["<ul>\n<li>a", " b", "</li>\n<li>c", " d"],
      ["<p>a &amp;", " b", " &lt;c &gt; &quot;d&#x27;", " &copy; e", " &#169;", " f"],
      ["<p>a &am", "p; b"],
      ["<p>a<br>", "b"],
      ["<p>a", "\r\nb", " c"],
      ["<pre><code>x", "y", "\nz"],
      ["<p>", "a", " b"],
      ["<table>\n<thead>\n<tr>\n<th>a", "b"],
      ['<p><span class="math-inline">x', "y"],
    ];
    for (const steps of cases) {
      const { $, frame } = mount(root(chat({}), msg(1, "assistant", [md(2, steps[0] as string, [])])));
      for (const s of steps.slice(1)) frame([12, 2, s]);
      const whole = mount(root(chat({}), msg(1, "assistant", [md(2, steps.join(""), [])])));
      assert.equal($(".rc-tail").innerHTML, whole.$(".rc-tail").innerHTML, JSON.stringify(steps));
    }
  });

  test("markdown without cuts is one finished block", () => {
    const { $, $$ } = mount(root(msg(1, "assistant", [[2, "markdown", { html: "<p>one</p>\n" }, []]])));
    assert.equal($$(".rc-block").length, 1);
    assert.equal($$(".rc-block")[0]?.innerHTML, "<p>one</p>\n");
    assert.equal($(".rc-tail").innerHTML, "");
  });

  test("code blocks get a copy button unless the chat turns them off", () => {
    const { $$, frame } = mount(root(chat({}), msg(2, "assistant", [md(3, "<pre><code>x</code></pre>")])));
    assert.equal($$('[data-testid="copy-code"]').length, 1);
    frame([3, 1, { show_copy_code: false }]);
    assert.equal($$('[data-testid="copy-code"]').length, 0);
  });

  test("a thought is open while pending, closes when done, and keeps the user's choice", () => {
    const { $, frame } = mount(root(msg(1, "assistant", [[2, "thought", { title: "Searching", status: "pending" }, [md(3, "<p>step</p>")]]])));
    assert.equal($('[data-testid="thought"]').dataset["status"], "pending");
    assert.equal($('[data-testid="thought-body"]').hidden, false);
    assert.ok($(".rc-spinner"));
    frame([3, 2, { status: "done", duration: 2.31 }]);
    assert.equal($('[data-testid="thought-body"]').hidden, true);
    assert.match($('[data-testid="thought-title"]').textContent ?? "", /Searching.*2\.3s/);
    $('[data-testid="thought-title"]').click();
    frame([3, 2, { log: "3 results" }]);
    assert.equal($('[data-testid="thought-body"]').hidden, false);
  });

  test("message options send their value", () => {
    const { $$, sent } = mount(root(msg(1, "assistant", [], { options: [{ value: "a", label: "A" }, { value: 2 }] })));
    const opts = $$('[data-testid="option"]');
    assert.deepEqual(opts.map((o) => o.textContent), ["A", "2"]);
    opts[1]?.click();
    assert.deepEqual(sent, [[1, "option", 2]]);
  });

  test("an error shows its type, message and frames", () => {
    const { $ } = mount(root([1, "error", { type: "ValueError", message: "bad", frames: [{ file: "bot.py", line: 3, name: "f", code: "x()" }] }, []]));
    const e = $('[data-testid="error"]');
    assert.match(e.textContent ?? "", /ValueError: bad.*bot\.py:3 in f.*x\(\)/s);
  });

  test("widgets in the sidebar show their props and send their values", () => {
    const { changes, sent, frame } = mount(root([1, "sidebar", {}, [
      [2, "widget", { type: "checkbox", label: "Verbose", value: true }, []],
      [3, "widget", { type: "button", label: "Go" }, []],
      [4, "widget", { type: "text_input", label: "Name", value: "Ada", help: "Your name" }, []],
    ]]));
    const panel = changes.sidebar as HTMLElement;
    const box = panel.querySelector<HTMLInputElement>('[data-type="checkbox"] input') as HTMLInputElement;
    assert.equal(box.checked, true);
    assert.equal(panel.querySelector('[data-type="checkbox"] label')?.textContent, "Verbose");
    box.checked = false;
    box.dispatchEvent(new window.Event("change"));
    panel.querySelector<HTMLElement>('[data-type="button"] button')?.click();
    assert.equal(panel.querySelector('[data-type="button"] button')?.textContent, "Go");
    const input = panel.querySelector<HTMLInputElement>('[data-type="text_input"] input') as HTMLInputElement;
    assert.equal(input.value, "Ada");
    assert.equal(panel.querySelector('[data-type="text_input"] .rc-help')?.textContent, "Your name");
    frame([3, 2, { disabled: true }], [3, 4, { value: "Grace" }]);
    assert.equal(box.disabled, true);
    assert.equal(input.value, "Grace");
    assert.deepEqual(sent, [[2, "set", false], [3, "click", null]]);
  });
});

/** A click on a button that may be missing (fails the test with its selector's absence). */
function $$click(b: HTMLElement | null): void {
  assert.ok(b, "no such button");
  b.click();
}

describe("stored messages", () => {
  test("carry their stored id and, unless plainly done, their status", () => {
    const { $$, frame } = mount(root(msg(2, "user", [md(3, "<p>Hi</p>")], { id: "01J" })));
    const [m] = $$('[data-testid="message"]') as [HTMLElement];
    assert.equal(m.dataset["id"], "01J");
    assert.equal(m.dataset["status"], undefined);
    frame([3, 2, { status: "interrupted" }]);
    assert.equal(m.dataset["status"], "interrupted");
    frame([3, 2, { status: null }]);
    assert.equal(m.dataset["status"], undefined);
  });
});
