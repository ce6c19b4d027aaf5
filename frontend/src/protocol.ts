// Wire types and op codes of docs/protocol.md (version 2).

export const PROTOCOL_VERSION = 2;

export type Value = null | boolean | number | string | Value[] | { [key: string]: Value };
export type Props = Record<string, Value>;

/** A msgpack map (a plain object): the one guard for map-shaped values, from the wire or from props. */
export const isMap = (x: unknown): x is { [key: string]: Value } =>
  typeof x === "object" && x !== null && !Array.isArray(x);

/** How a view sends a user event (an `ev` message) on a node; the app wires it to the connection. */
export type Emit = (nodeId: number, action: string, value: Value) => void;

/** A node on the wire: `[id, kind, props, children]`. */
export type WireNode = [number, string, Props, WireNode[]];

export const SNAP = 0;
export const RUN = 1;
export const INS = 2;
export const SET = 3;
export const APP = 4;
export const DEL = 5;
export const MOV = 6;
export const REP = 7;
export const ERR = 8;
export const HELLO = 9;
export const NOTE = 10;
export const EVACK = 11;
/** `[12, id, text]`: APP of `text` to the node's `html` prop, cutting nothing (a stream's usual frame, short). */
export const TXT = 12;

export type RunWire = "running" | "done" | "stopped" | "error";

export interface Overlay {
  message: string;
  file?: string | null;
  line?: number | null;
  text?: string | null;
}

export type WireOp =
  | [typeof SNAP, WireNode]
  | [typeof RUN, RunWire]
  | [typeof INS, number, number | null, WireNode]
  | [typeof SET, number, Props]
  | [typeof APP, number, string, string | Value[], number]
  | [typeof DEL, number]
  | [typeof MOV, number, number, number | null]
  | [typeof REP, number, WireNode]
  | [typeof ERR, Overlay | null]
  | [typeof HELLO, string, number, number]
  | [typeof NOTE, string]
  | [typeof EVACK, number, number]
  | [typeof TXT, number, string];

/** A server frame: `[version, seq, ops]`. */
export type Frame = [number, number | null, WireOp[]];

/**
 * Client -> server messages. hello: `[.., token, last_seq, tab, conversation]`, `conversation` being the id the
 * page's URL names (`/c/<id>`); it is left out when the URL names none, as servers before it expect 5 fields.
 */
export type ClientMessage =
  | ["hello", typeof PROTOCOL_VERSION, string | null, number, string]
  | ["hello", typeof PROTOCOL_VERSION, string | null, number, string, string | null]
  | ["ev", number, number, string, Value]
  | ["stop"]
  | ["ack", number];

/** Shallow shape check of a decoded frame; op payloads are checked where they are applied. */
export function isFrame(x: unknown): x is Frame {
  return (
    Array.isArray(x) &&
    x.length === 3 &&
    typeof x[0] === "number" &&
    (x[1] === null || typeof x[1] === "number") &&
    Array.isArray(x[2]) &&
    x[2].every((op: unknown) => Array.isArray(op) && typeof op[0] === "number")
  );
}
