// The client's small msgpack encoder, checked byte for byte against @msgpack/msgpack.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decode, encode as reference } from "@msgpack/msgpack";
import { encode } from "../src/msgpack";
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
