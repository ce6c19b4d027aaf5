// Every op fixture shared with the Python reference `apply`, run through the TypeScript store.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import type { WireNode } from "../src/protocol";
import { Store } from "../src/store";

interface Fixture {
  name: string;
  initial: WireNode | null;
  frames: unknown[][];
  expected: WireNode;
}

const files = readdirSync(__FIXTURES_DIR__)
  .filter((f) => f.endsWith(".json"))
  .sort();
const fixtures = files.map((f): [string, Fixture] => [
  f,
  JSON.parse(readFileSync(`${__FIXTURES_DIR__}/${f}`, "utf8")) as Fixture,
]);

describe("op fixtures", () => {
  test("there are enough fixtures and they cover every op code", () => {
    assert.ok(fixtures.length >= 14, `only ${fixtures.length} fixtures`);
    const codes = new Set<number>();
    for (const [, fx] of fixtures) for (const frame of fx.frames) for (const op of frame) codes.add((op as number[])[0] as number);
    for (const code of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12]) assert.ok(codes.has(code), `no fixture uses op code ${code}`);
  });

  for (const [file, fx] of fixtures) {
    test(`${file}: ${fx.name}`, () => {
      assert.deepEqual(Object.keys(fx).sort(), ["expected", "frames", "initial", "name"]);
      const store = new Store(fx.initial);
      for (const frame of fx.frames) store.applyAll(frame);
      assert.deepEqual(store.toWire(), fx.expected);
      // The id index must agree with the tree: no orphans left behind by DEL/REP/SNAP.
      assert.equal(store.nodes.size, countNodes(fx.expected));
    });
  }
});

function countNodes(n: WireNode): number {
  return 1 + n[3].reduce((s, c) => s + countNodes(c), 0);
}
