// Pure formatting rules: sizes, durations, safe URLs, thought and grouping rules.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fmtDur, fmtSize, fmtUsage, groupFlags, safeUrl, thoughtOpen, thoughtStatus } from "../src/format";

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

  test("usage", () => {
    assert.equal(fmtUsage({ input_tokens: 31, output_tokens: 17, model: "gpt-test" }), "31 in · 17 out · gpt-test");
    assert.equal(fmtUsage({ output_tokens: 5 }), "5 out");
    assert.equal(fmtUsage({ input_tokens: "x", model: "" }), "");
    assert.equal(fmtUsage(undefined), "");
    assert.equal(fmtUsage([1, 2]), "");
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
