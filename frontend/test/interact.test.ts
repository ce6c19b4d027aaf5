// Pure logic behind the interactions: actions/feedback/examples/options props, file checks, copy-all text
// and the prompt history.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { chatOpts } from "../src/format";
import {
  acceptOf, actionsOf, cookieValue, examplesOf, feedbackOf, fileTypesOf, onFirstLine, onLastLine, optionsOf,
  PromptHistory, refusal, transcriptText, typeAllowed,
} from "../src/interact";

describe("chat interaction props", () => {
  test("actions default to copy and copy-all only", () => {
    const d = { retry: false, undo: false, clear: false, copy: true, copyAll: true, edit: "" };
    assert.deepEqual(actionsOf(undefined), d);
    assert.deepEqual(actionsOf({}), d);
    assert.deepEqual(chatOpts().actions, d);
    assert.deepEqual(
      actionsOf({ retry: true, undo: true, clear: true, copy: false, copy_all: false, edit: "all" }),
      { retry: true, undo: true, clear: true, copy: false, copyAll: false, edit: "all" },
    );
    assert.equal(actionsOf({ edit: "user" }).edit, "user");
    assert.equal(actionsOf({ edit: "everything", retry: "yes" }).edit, "");
    assert.equal(actionsOf({ retry: "yes" }).retry, false);
  });

  test("feedback options default to Like/Dislike; an empty list means none", () => {
    assert.deepEqual(feedbackOf(undefined), []);
    assert.deepEqual(feedbackOf(null), []);
    assert.deepEqual(feedbackOf([]), []);
    assert.deepEqual(feedbackOf(["Like", 3, "Spam"]), ["Like", "Spam"]);
    const o = chatOpts({ feedback_options: ["A"], feedback_on_user: true, watermark: "wm" });
    assert.deepEqual([o.feedback, o.feedbackOnUser, o.watermark], [["A"], true, "wm"]);
  });

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

describe("file checks", () => {
  test("major MIME types, extensions, exact MIME types, wildcards", () => {
    assert.ok(typeAllowed("a.png", "image/png", ["image"]));
    assert.ok(!typeAllowed("a.mp3", "audio/mpeg", ["image"]));
    assert.ok(typeAllowed("a.mp3", "audio/mpeg", ["image", "audio"]));
    assert.ok(typeAllowed("clip.webm", "video/webm", ["video"]));
    assert.ok(typeAllowed("notes.txt", "text/plain", ["text"]));
    assert.ok(typeAllowed("Report.PDF", "", [".pdf"]));
    assert.ok(typeAllowed("report.pdf", "application/pdf", [".PDF"]));
    assert.ok(!typeAllowed("pdf", "", [".pdf"]));
    assert.ok(!typeAllowed("report.pdf.exe", "", [".pdf"]));
    assert.ok(typeAllowed("d.csv", "text/csv", ["text/csv"]));
    assert.ok(typeAllowed("d.csv", "TEXT/CSV", ["text/csv"]));
    assert.ok(!typeAllowed("d.tsv", "text/tab-separated-values", ["text/csv"]));
    assert.ok(typeAllowed("a.gif", "image/gif", ["image/*"]));
    assert.ok(typeAllowed("x.bin", "", ["*"]));
    assert.ok(typeAllowed("x.bin", "", null));
    assert.ok(typeAllowed("x.bin", "", []));
    assert.ok(!typeAllowed("unknown", "", ["image"]), "no MIME type: a major type cannot match");
  });

  test("refusals name the file and the reason", () => {
    const f = (name: string, size: number, type = "") => ({ name, size, type });
    assert.equal(refusal(f("a.png", 10, "image/png"), ["image"], 100), null);
    assert.equal(refusal(f("a.png", 100, "image/png"), ["image"], 100), null);
    const big = refusal(f("big.png", 3 * 1024 * 1024, "image/png"), ["image"], 1024 * 1024);
    assert.ok(big?.includes("big.png") && big.includes("too large") && big.includes("1.0 MB"), big ?? "");
    const kind = refusal(f("x.exe", 1, "application/x-msdownload"), ["image", ".pdf"], null);
    assert.ok(kind?.includes("x.exe") && kind.includes("image, .pdf"), kind ?? "");
  });

  test("accept attribute and file_types parsing", () => {
    assert.equal(acceptOf(["image", ".pdf", "text/csv"]), "image/*,.pdf,text/csv");
    assert.equal(acceptOf(["*"]), "");
    assert.equal(acceptOf(null), "");
    assert.deepEqual(fileTypesOf(["image", 1]), ["image"]);
    assert.deepEqual(fileTypesOf("image"), ["image"]);
    assert.equal(fileTypesOf(undefined), null);
  });

  test("cookie values", () => {
    assert.equal(cookieValue("a=1; _xsrf=2|ab|cd|3; b=4", "_xsrf"), "2|ab|cd|3");
    assert.equal(cookieValue("_xsrf=x", "_xsrf"), "x");
    assert.equal(cookieValue("my_xsrf=x", "_xsrf"), "");
    assert.equal(cookieValue("", "_xsrf"), "");
  });
});

describe("copy all", () => {
  test("role blocks separated by blank lines, then the watermark", () => {
    const msgs = [
      { role: "user", text: "Hi\n" },
      { role: "assistant", text: "Hello!\n\nHow can I help?" },
      { role: "system", text: "   " },
    ];
    assert.equal(transcriptText(msgs, ""), "User: Hi\n\nAssistant: Hello!\n\nHow can I help?");
    assert.equal(transcriptText(msgs, "Made with reactchat"), "User: Hi\n\nAssistant: Hello!\n\nHow can I help?\n\nMade with reactchat");
    assert.equal(transcriptText([], ""), "");
  });
});

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
