// Pure helpers behind the views: display options, formatting, URL checks, thought and grouping rules.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  avatarOf, chatOpts, cssLen, fmtDur, fmtSize, groupFlags, safeUrl, thoughtOpen, thoughtStatus,
} from "../src/format";

describe("chat options", () => {
  test("defaults when there is no chat node", () => {
    const o = chatOpts();
    assert.equal(o.layout, "bubble");
    assert.equal(o.group, true);
    assert.equal(o.autoscroll, true);
    assert.equal(o.copyCode, true);
    assert.equal(o.timestamps, false);
    assert.equal(o.rtl, false);
    assert.equal(o.height, "");
    assert.equal(o.placeholder, "");
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
});

describe("formatting", () => {
  test("human file sizes", () => {
    assert.equal(fmtSize(0), "0 B");
    assert.equal(fmtSize(1023), "1023 B");
    assert.equal(fmtSize(1024), "1.0 KB");
    assert.equal(fmtSize(1.2 * 1024 * 1024), "1.2 MB");
    assert.equal(fmtSize(15.4 * 1024 * 1024), "15 MB");
    assert.equal(fmtSize(3 * 1024 ** 3), "3.0 GB");
    assert.equal(fmtSize(-1), "");
    assert.equal(fmtSize(NaN), "");
  });

  test("durations", () => {
    assert.equal(fmtDur(0), "0s");
    assert.equal(fmtDur(0.42), "0.4s");
    assert.equal(fmtDur(2.34), "2.3s");
    assert.equal(fmtDur(12.6), "13s");
    assert.equal(fmtDur(125), "2m 5s");
    assert.equal(fmtDur(-1), "");
  });
});

describe("safeUrl", () => {
  test("keeps http(s), blob, data and paths", () => {
    for (const u of ["/_rc/media/abc/1", "https://example.com/a.png", "http://127.0.0.1:8000/x.wav",
      "data:image/png;base64,AAAA", "blob:http://localhost/uuid", "rel/path.png"]) {
      assert.equal(safeUrl(u), u);
    }
  });

  test("drops script URLs and non-strings", () => {
    for (const u of ["javascript:alert(1)", " JavaScript:alert(1)", "vbscript:x", "file:///etc/passwd", ""]) {
      assert.equal(safeUrl(u), "", u);
    }
    assert.equal(safeUrl(5), "");
    assert.equal(safeUrl(null), "");
  });
});

describe("thoughts", () => {
  test("status values", () => {
    assert.equal(thoughtStatus("pending"), "pending");
    assert.equal(thoughtStatus("done"), "done");
    assert.equal(thoughtStatus("error"), "error");
    assert.equal(thoughtStatus("weird"), "");
    assert.equal(thoughtStatus(undefined), "");
  });

  test("open by status unless the user chose", () => {
    assert.equal(thoughtOpen("pending", undefined), true);
    assert.equal(thoughtOpen("", undefined), true);
    assert.equal(thoughtOpen("error", undefined), true);
    assert.equal(thoughtOpen("done", undefined), false);
    assert.equal(thoughtOpen("done", true), true);
    assert.equal(thoughtOpen("pending", false), false);
  });
});

describe("message groups", () => {
  const flags = (roles: (string | null)[]) => groupFlags(roles).map((f) => `${+f.cont}${+f.more}`).join(" ");

  test("consecutive same-role messages group", () => {
    assert.equal(flags(["user", "user", "user"]), "01 11 10");
    assert.equal(flags(["user", "assistant", "assistant", "user"]), "00 01 10 00");
  });

  test("anything else breaks a group", () => {
    assert.equal(flags(["assistant", null, "assistant"]), "00 00 00");
    assert.equal(flags([null, null]), "00 00");
    assert.equal(flags([]), "");
  });
});
