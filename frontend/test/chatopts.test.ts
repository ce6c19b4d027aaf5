// The chat node's display options: defaults, every prop, wrong types, avatars, feedback.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { avatarOf, chatOpts, feedbackOf } from "../src/chatopts";
import { cssLen } from "../src/format";

describe("chat options", () => {
  test("defaults when there is no chat node", () => {
    const o = chatOpts();
    assert.equal(o.layout, "bubble");
    assert.equal(o.group, true);
    assert.equal(o.autoscroll, true);
    assert.equal(o.copyCode, true);
    assert.equal(o.timestamps, false);
    assert.equal(o.usage, false);
    assert.equal(o.rtl, false);
    assert.equal(o.height, "");
    assert.equal(o.placeholder, "");
    assert.equal(o.downloads, true);
    assert.deepEqual([o.submitLabel, o.stopLabel], ["", ""]);
  });

  test("downloads can be turned off; button labels are read as given", () => {
    const o = chatOpts({ allow_file_downloads: false, submit_btn: "Ask", stop_btn: "Halt" });
    assert.deepEqual([o.downloads, o.submitLabel, o.stopLabel], [false, "Ask", "Halt"]);
    assert.equal(chatOpts({ allow_file_downloads: "no" }).downloads, true, "a wrong type keeps the default");
  });

  test("reads every prop; lengths as CSS", () => {
    const o = chatOpts({
      layout: "panel", height: 400, min_height: "10rem", max_height: 800, resizable: true, rtl: true,
      placeholder: "<b>Hi</b>", description: "<p>d</p>", show_timestamps: true,
      group_consecutive_messages: false, autoscroll: false, show_copy_code: false,
      avatars: { user: { emoji: "🙂" } },
    });
    assert.deepEqual(
      [o.layout, o.height, o.minHeight, o.maxHeight, o.resizable, o.rtl, o.placeholder, o.description],
      ["panel", "400px", "10rem", "800px", true, true, "<b>Hi</b>", "<p>d</p>"],
    );
    assert.deepEqual([o.timestamps, o.group, o.autoscroll, o.copyCode], [true, false, false, false]);
  });

  test("ignores values of the wrong type", () => {
    const o = chatOpts({ layout: "grid", autoscroll: "no", height: [1], avatars: "x", placeholder: 3 });
    assert.deepEqual([o.layout, o.autoscroll, o.height, o.placeholder], ["bubble", true, "", ""]);
    assert.deepEqual(o.avatars, {});
  });

  test("cssLen", () => {
    assert.equal(cssLen(0), "0px");
    assert.equal(cssLen(12.5), "12.5px");
    assert.equal(cssLen("50vh"), "50vh");
    assert.equal(cssLen(Infinity), "");
    assert.equal(cssLen(null), "");
  });

  test("avatars: image, emoji, nothing; unsafe URLs dropped", () => {
    const o = chatOpts({
      avatars: {
        user: { src: "/_rc/media/k/1" },
        assistant: { emoji: "🤖" },
        system: { src: "javascript:alert(1)" },
      },
    });
    assert.deepEqual(avatarOf(o, "user"), { src: "/_rc/media/k/1" });
    assert.deepEqual(avatarOf(o, "assistant"), { emoji: "🤖" });
    assert.equal(avatarOf(o, "system"), null);
    assert.equal(avatarOf(chatOpts(), "user"), null);
  });

  test("feedback options default to Like/Dislike; an empty list means none", () => {
    assert.deepEqual(feedbackOf(undefined), []);
    assert.deepEqual(feedbackOf(null), []);
    assert.deepEqual(feedbackOf([]), []);
    assert.deepEqual(feedbackOf(["Like", 3, "Spam"]), ["Like", "Spam"]);
    const o = chatOpts({ feedback_options: ["A"], feedback_on_user: true, watermark: "wm" });
    assert.deepEqual([o.feedback, o.feedbackOnUser, o.watermark], [["A"], true, "wm"]);
  });
});
