// A minimal msgpack encoder for the few small messages the client sends (the library's encoder is
// most of its size; frames from the server are decoded by @msgpack/msgpack).
import type { Value } from "./protocol";

const utf8 = new TextEncoder();

export function encode(value: Value): Uint8Array<ArrayBuffer> {
  const out: number[] = [];
  const head = (tag: number, n: number, bytes: number): void => {
    out.push(tag);
    for (let i = bytes - 1; i >= 0; i--) out.push((n >>> (i * 8)) & 255);
  };
  /** A length-prefixed item: fix form when `n < fixMax`, else the 8 (when `t8`), 16 or 32 bit form. */
  const sized = (n: number, fix: number, fixMax: number, t8: number, t16: number): void => {
    if (n < fixMax) out.push(fix | n);
    else if (t8 && n < 256) head(t8, n, 1);
    else if (n < 65536) head(t16, n, 2);
    else head(t16 + 1, n, 4);
  };
  const raw = (n: number, tag: number, set: (d: DataView) => void): void => {
    const d = new DataView(new ArrayBuffer(n));
    set(d);
    out.push(tag, ...new Uint8Array(d.buffer));
  };
  const enc = (v: Value | undefined): void => {
    if (v === null || v === undefined) out.push(0xc0);
    else if (typeof v === "boolean") out.push(v ? 0xc3 : 0xc2);
    else if (typeof v === "number") {
      if (!Number.isSafeInteger(v)) raw(8, 0xcb, (d) => d.setFloat64(0, v));
      else if (v >= 0) {
        if (v < 128) out.push(v);
        else if (v < 256) head(0xcc, v, 1);
        else if (v < 65536) head(0xcd, v, 2);
        else if (v < 2 ** 32) head(0xce, v, 4);
        else raw(8, 0xcf, (d) => d.setBigUint64(0, BigInt(v)));
      } else if (v >= -32) out.push(v & 255);
      else if (v >= -128) head(0xd0, v, 1);
      else if (v >= -32768) head(0xd1, v, 2);
      else if (v >= -(2 ** 31)) head(0xd2, v, 4);
      else raw(8, 0xd3, (d) => d.setBigInt64(0, BigInt(v)));
    } else if (typeof v === "string") {
      const b = utf8.encode(v);
      sized(b.length, 0xa0, 32, 0xd9, 0xda);
      for (const x of b) out.push(x);
    } else if (Array.isArray(v)) {
      sized(v.length, 0x90, 16, 0, 0xdc);
      for (const x of v) enc(x);
    } else {
      const keys = Object.keys(v);
      sized(keys.length, 0x80, 16, 0, 0xde);
      for (const k of keys) {
        enc(k);
        enc(v[k]);
      }
    }
  };
  enc(value);
  return Uint8Array.from(out);
}
