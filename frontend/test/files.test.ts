// Attaching files: type matching, refusals, the accept attribute, the XSRF cookie.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { acceptOf, cookieValue, fileTypesOf, refusal, typeAllowed } from "../src/files";

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
