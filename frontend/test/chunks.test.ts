// Sealing a transcript's older messages into chunks, and grouping recomputed around a change only.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CHUNK, Chunks, FAN, KEEP } from "../src/chunks";
import { regroup } from "../src/grouping";
import type { View } from "../src/view";
import { freshDom } from "./dom";

/** A transcript body of `roles.length` message elements; ids are the indices. */
function transcript(roles: string[]) {
  const document = freshDom();
  const body = document.createElement("div");
  document.body.append(body);
  const els = roles.map((role) => {
    const el = document.createElement("div");
    el.className = "rc-message";
    el.dataset["role"] = role;
    body.append(el);
    return el;
  });
  const ids = roles.map((_, i) => i);
  const at = { el: (id: number) => els[id] ?? null, sealable: () => true, waiting: () => false };
  return { body, els, ids, at };
}

const turns = (n: number) => Array.from({ length: 2 * n }, (_, i) => (i % 2 ? "assistant" : "user"));

describe("chunks", () => {
  test("seal the older children, each chunk ending before a turn's first message, and keep the newest", () => {
    const { body, els, ids, at } = transcript(turns(60));
    const chunks = new Chunks();
    chunks.seal(body, ids, at);
    const sealed = [...body.children].filter((c) => c.classList.contains("rc-chunk"));
    assert.ok(sealed.length >= 2);
    for (const c of sealed) {
      assert.ok(c.children.length >= CHUNK, `${c.children.length} in a chunk`);
      assert.equal((c.firstElementChild as HTMLElement).dataset["role"], "user");
    }
    assert.equal(chunks.sealed, sealed.reduce((n, c) => n + c.children.length, 0));
    assert.ok(ids.length - chunks.sealed >= KEEP, "the newest stay in the transcript itself");
    assert.ok(ids.length - chunks.sealed <= KEEP + CHUNK + 2, "and not many more");
    assert.equal(chunks.after(body), els[chunks.sealed]);
    assert.deepEqual([...body.querySelectorAll(".rc-message")], els, "the order is kept");
    chunks.unseal();
    assert.deepEqual([...body.children], els, "unsealed: every element back in place");
    assert.equal(chunks.sealed, 0);
  });

  test("new chunks are styled once hidden, then shown (what they hold loses the style it had outside)", () => {
    const { body, ids, at } = transcript(turns(60 * FAN));
    const view = body.ownerDocument.defaultView as unknown as Record<string, unknown>;
    const seen: string[][] = [];
    const computed = view["getComputedStyle"] as (el: HTMLElement) => CSSStyleDeclaration;
    view["getComputedStyle"] = (el: HTMLElement) => {
      seen.push([...body.querySelectorAll(".rc-chunk")].map((c) => (c as HTMLElement).style.display));
      return computed(el);
    };
    new Chunks().seal(body, ids, at);
    assert.equal(seen.length, 1, "one style update for all of them");
    assert.ok((seen[0] as string[]).length > FAN, `${(seen[0] as string[]).length} chunks`);
    assert.ok((seen[0] as string[]).every((d) => d === "none"), "hidden while styled");
    for (const c of body.querySelectorAll(".rc-chunk")) assert.equal((c as HTMLElement).style.display, "");
  });

  test("a short transcript, or one that starts with a kind a chunk may not hold, is left alone", () => {
    const short = transcript(turns((KEEP + CHUNK) / 2));
    new Chunks().seal(short.body, short.ids, short.at);
    assert.equal(short.body.querySelector(".rc-chunk"), null);
    const long = transcript(turns(60));
    new Chunks().seal(long.body, long.ids, { ...long.at, sealable: (id) => id !== 3 });
    assert.equal(long.body.querySelector(".rc-chunk"), null);
  });
});

describe("chunks of chunks", () => {
  test("FAN chunks in a row are sealed into one a level deeper, so the body keeps few children at any length", () => {
    const { body, els, ids, at } = transcript(turns(5000)); // 10,000 messages
    const chunks = new Chunks();
    // Sealed a turn at a time, as a conversation grows, and at once, as it opens: the same bounds.
    for (let n = 2 * (KEEP + CHUNK); n <= ids.length; n += 200) chunks.seal(body, ids.slice(0, n), at);
    chunks.seal(body, ids, at);
    const top = [...body.children].filter((c) => c.classList.contains("rc-chunk"));
    assert.ok(top.length < 3 * FAN, `${top.length} chunks in the body, for 10,000 messages`);
    assert.ok(body.querySelector(".rc-chunk > .rc-chunk > .rc-chunk"), "three levels deep");
    for (const c of body.querySelectorAll(".rc-chunk")) {
      const inner = c.firstElementChild as HTMLElement;
      if (inner.classList.contains("rc-chunk")) assert.equal(c.children.length, FAN, "a deeper chunk holds FAN chunks");
    }
    assert.deepEqual([...body.querySelectorAll(".rc-message")], els, "the order is kept");
    assert.equal(chunks.after(body), els[chunks.sealed]);
    chunks.unseal();
    assert.deepEqual([...body.children], els, "unsealed: every element back in place, at every depth");
  });
});

describe("grouping around a change", () => {
  const views = (roles: string[]): View[] =>
    transcript(roles).els.map((el) => ({ kind: "message", el, body: null, update() {} }));
  const flags = (vs: View[]) => vs.map((v) => ["rc-cont", "rc-more"].filter((c) => v.el.classList.contains(c)).join("+"));

  test("a range and its neighbours come out as a whole regroup makes them; the rest is not touched", () => {
    const roles = ["user", "user", "assistant", "assistant", "assistant", "user", "assistant", "assistant"];
    const whole = views(roles);
    regroup(roles.map((_, i) => i), null, (id) => whole[id] ?? null, true);
    const part = views(roles);
    part.forEach((v, i) => v.el.classList.toggle("rc-cont", !!whole[i]?.el.classList.contains("rc-cont")));
    part.forEach((v, i) => v.el.classList.toggle("rc-more", !!whole[i]?.el.classList.contains("rc-more")));
    (part[4] as View).el.dataset["role"] = "user"; // changed: 3, 4 and 5 may group differently
    (whole[4] as View).el.dataset["role"] = "user";
    regroup(roles.map((_, i) => i), null, (id) => whole[id] ?? null, true);
    (part[0] as View).el.classList.add("probe");
    (part[0] as View).el.classList.remove("rc-more");
    regroup(roles.map((_, i) => i), [4, 4], (id) => part[id] ?? null, true);
    assert.deepEqual(flags(part).slice(2), flags(whole).slice(2));
    assert.equal(flags(part)[0], "", "far from the change: left as it was");
  });
});

describe("children still to be built", () => {
  test("are passed over: a gap chunk stands for them, takes each as built, and seals them in its own chunks", () => {
    // A long transcript opening: its newest 30 built, the 2,000 before them waiting (built oldest first).
    const { body, els, ids } = transcript(turns(1015));
    const waiting = new Set(ids.slice(0, 2000));
    for (const id of waiting) (els[id] as HTMLElement).remove();
    const where = { el: (id: number) => (waiting.has(id) ? null : (els[id] ?? null)), sealable: () => true,
                    waiting: (id: number) => waiting.has(id) }; // prettier-ignore
    const chunks = new Chunks();
    chunks.seal(body, ids, where);
    const gap = body.firstElementChild as HTMLElement;
    assert.ok(gap.classList.contains("rc-chunk") && gap.childElementCount === 0, "an empty chunk stands for them");
    assert.ok(chunks.reach >= 2000, `it stands for the first ${chunks.reach}`);
    for (let i = 0; i < 2000; i++) {
      assert.ok(chunks.hold(i, els[i] as HTMLElement));
      waiting.delete(i);
      if (i % 300 === 0) chunks.seal(body, ids, where); // a slice ends
    }
    chunks.seal(body, ids, where);
    assert.equal(chunks.hold(2000, els[2000] as HTMLElement), false, "one not in a gap is placed as usual");
    assert.deepEqual([...body.querySelectorAll(".rc-message")], els, "the order is kept");
    const widest = Math.max(...[...body.querySelectorAll(".rc-chunk")].map((c) => c.children.length));
    assert.ok(widest <= 2 * CHUNK, `a chunk holds ${widest} children, not the 2,000 built into the gap`);
    assert.ok(gap.querySelector(".rc-chunk > .rc-chunk"), "the gap's own chunks nest");
    assert.match(gap.style.getPropertyValue("contain-intrinsic-size"), /^auto \d+rem$/, "sized without a layout");
    chunks.unseal();
    assert.deepEqual([...body.children], els, "unsealed: every element back in place, the gap's too");
    assert.equal(chunks.reach, 0);
  });
});
