// A minimal msgpack codec: the encoder for the few small messages the client sends, and a decoder for the
// server's frames (plain values only: nil, bools, numbers, strings, binary, arrays, maps; no extension types).
// Both are checked against @msgpack/msgpack in test/msgpack.test.ts.
import type { Value } from "./protocol";

const utf8 = new TextEncoder();
const utf8In = new TextDecoder();
/** Strings up to this many bytes are decoded here when they are ASCII (see `str`). */
const SHORT = 24;

/** Decode one msgpack value that fills the whole buffer; throws on malformed or trailing input. */
export function decode(buf: ArrayBuffer | Uint8Array): unknown {
  const bytes = buf instanceof Uint8Array ? buf : new Uint8Array(buf);
  const d = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const take = (n: number): number => {
    const at = pos;
    if ((pos += n) > bytes.length) throw new RangeError("msgpack: truncated input");
    return at;
  };
  const uint = (n: number): number => {
    const at = take(n);
    return n === 1 ? d.getUint8(at) : n === 2 ? d.getUint16(at) : n === 4 ? d.getUint32(at) : d.getUint32(at) * 2 ** 32 + d.getUint32(at + 4);
  };
  const int = (n: number): number => {
    const at = take(n);
    return n === 1 ? d.getInt8(at) : n === 2 ? d.getInt16(at) : n === 4 ? d.getInt32(at) : d.getInt32(at) * 2 ** 32 + d.getUint32(at + 4);
  };
  const str = (n: number): string => {
    const at = take(n);
    // A frame holds tens of thousands of short strings (keys, kinds, roles, ids): one call into the decoder
    // each costs more than building an ASCII one here.
    if (n <= SHORT) {
      let out = "";
      for (let i = at; i < pos; i++) {
        const c = bytes[i] as number;
        if (c > 0x7f) return utf8In.decode(bytes.subarray(at, pos));
        out += String.fromCharCode(c);
      }
      return out;
    }
    return utf8In.decode(bytes.subarray(at, pos));
  };
  const arr = (n: number): unknown[] => {
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(item());
    return out;
  };
  const map = (n: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const k = item();
      if (typeof k !== "string" && typeof k !== "number") throw new TypeError("msgpack: map keys must be strings or numbers");
      // Assignment keeps the object in V8's fast mode (defining each property made a long transcript's frame
      // decode twice as slow); only "__proto__" must be defined, or it would set the prototype.
      if (k === "__proto__") Object.defineProperty(out, k, { value: item(), enumerable: true, writable: true, configurable: true });
      else out[k] = item();
    }
    return out;
  };
  const item = (): unknown => {
    const t = uint(1);
    if (t < 0x80) return t;
    if (t < 0x90) return map(t & 15);
    if (t < 0xa0) return arr(t & 15);
    if (t < 0xc0) return str(t & 31);
    if (t >= 0xe0) return t - 256;
    switch (t) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
      case 0xc5:
      case 0xc6: {
        const n = uint(1 << (t - 0xc4));
        return bytes.slice(take(n), pos);
      }
      case 0xca:
        return d.getFloat32(take(4));
      case 0xcb:
        return d.getFloat64(take(8));
      case 0xd9:
      case 0xda:
      case 0xdb:
        return str(uint(1 << (t - 0xd9)));
      case 0xdc:
      case 0xdd:
        return arr(uint(t === 0xdc ? 2 : 4));
      case 0xde:
      case 0xdf:
        return map(uint(t === 0xde ? 2 : 4));
    }
    if (t >= 0xcc && t <= 0xcf) return uint(1 << (t - 0xcc));
    if (t >= 0xd0 && t <= 0xd3) return int(1 << (t - 0xd0));
    throw new TypeError(`msgpack: unsupported type 0x${t.toString(16)}`);
  };
  const v = item();
  if (pos !== bytes.length) throw new RangeError("msgpack: trailing bytes");
  return v;
}

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
