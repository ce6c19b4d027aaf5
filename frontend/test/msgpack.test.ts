// The client's small msgpack encoder, checked byte for byte against @msgpack/msgpack.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decode, encode as reference } from "@msgpack/msgpack";
import { decode as mine, encode } from "../src/msgpack";
import type { Value } from "../src/protocol";

const long = (n: number): string => "x".repeat(n);
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

const values: Value[] = [
  null, true, false,
  0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1,
  -1, -32, -33, -128, -129, -32768, -32769, -(2 ** 31), -(2 ** 31) - 1, -(2 ** 53 - 1),
  0.5, -1.25, 1e300, 2 ** 53, NaN, Infinity,
  "", "a", long(31), long(32), long(255), long(256), long(65535), long(65536), "héllo 😀 ünïcode",
  [], range(15), range(16), range(65536),
  {}, { a: 1, b: [null, "x"] }, Object.fromEntries(range(16).map((i) => [`k${i}`, i])),
  ["hello", 1, null, -1],
  ["ev", 3, 12, "submit", "text with\nnewlines"],
  ["ack", 123456],
  ["stop"],
];

describe("msgpack encode", () => {
  for (const v of values) {
    const label = JSON.stringify(v)?.slice(0, 40) ?? String(v);
    test(`same bytes as the reference: ${label}`, () => {
      assert.deepEqual([...encode(v)], [...reference(v)]);
    });
  }

  test("round-trips through the reference decoder", () => {
    const v: Value = { nested: [{ deep: [1, "two", 3.5, false] }], emoji: "🚀" };
    assert.deepEqual(decode(encode(v)), v);
  });
});

describe("msgpack decode", () => {
  const wide: unknown[] = [
    ...values,
    new Uint8Array([]),
    new Uint8Array([1, 2, 3]),
    new Uint8Array(300).fill(7),
    new Uint8Array(70000).fill(9),
    [1, [2, [3, [4, { a: [null, { b: "c" }] }]]]],
    { "": 0, "😀": "x", "with space": [true] },
    -(2 ** 40),
    2 ** 40 + 3,
    Number.MAX_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
    [0, "root", {}, [[1, "message", { role: "user", created_at: 1700000000.25 }, []]]],
    // Short strings are decoded apart from long ones when ASCII: on both sides of the cut, and not ASCII.
    ...[23, 24, 25].map((n) => ["x".repeat(n), `${"x".repeat(n - 1)}é`, `${"\u007f".repeat(n)}`]),
    ["\u0000", "é", "😀", "a😀b", "ünï", { é: "ü", "\u007f": 1 }],
  ];
  for (const v of wide) {
    const label = (v instanceof Uint8Array ? `bin ${v.length}` : JSON.stringify(v)?.slice(0, 40)) ?? String(v);
    test(`agrees with the reference: ${label}`, () => {
      const bytes = reference(v);
      assert.deepEqual(mine(bytes), decode(bytes));
      assert.deepEqual(mine(bytes.slice().buffer), decode(bytes));
    });
  }

  test("float32 and a subarray view", () => {
    const b = new Uint8Array([0xff, 0xca, 0x3f, 0xc0, 0x00, 0x00, 0xff]);
    assert.equal(mine(b.subarray(1, 6)), 1.5);
  });

  test("a __proto__ key is an own property, not the prototype", () => {
    // {"__proto__": {"polluted": 1}}
    const bytes = new Uint8Array([0x81, 0xa9, ...new TextEncoder().encode("__proto__"), 0x81, 0xa8,
      ...new TextEncoder().encode("polluted"), 0x01]);
    const v = mine(bytes) as Record<string, unknown>;
    assert.deepEqual(Object.keys(v), ["__proto__"]);
    assert.equal(({} as Record<string, unknown>)["polluted"], undefined);
    assert.equal(Object.getPrototypeOf(v), Object.prototype);
  });

  test("malformed input throws", () => {
    for (const bad of [[], [0x92, 0x01], [0xd9], [0xa3, 0x61], [0xc1], [0xd4, 0, 0], [0x01, 0x02]]) {
      assert.throws(() => mine(new Uint8Array(bad)), JSON.stringify(bad));
    }
  });
});
