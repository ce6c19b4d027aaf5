// The copy-all text.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { transcriptText } from "../src/clipboard";

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
