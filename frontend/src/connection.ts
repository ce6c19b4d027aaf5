// The WebSocket: hello/resume (HELLO), notices (NOTE), frame intake, acks, unconfirmed-event resend, reconnect.
import { type Boot, hello, takeBoot } from "./boot";
import { conversationIn } from "./listing";
import { decode, encode } from "./msgpack";
import { type ClientMessage, EVACK, HELLO, isFrame, isMap, NOTE, PROTOCOL_VERSION, RUN, SNAP, type Value } from "./protocol";
import type { Store } from "./store";
import { KEYS, load, save, sessionToken, setSessionToken, tabId, watchTabId } from "./tab";

/**
 * "open" means synced: HELLO received and, when we had no tree, the SNAP applied. "signed-out": the server
 * refused the socket for want of a signed-in user (close code 4401), and no retry will change that.
 */
export type Status = "connecting" | "open" | "closed" | "signed-out";

type EvMessage = ["ev", number, number, string, Value];

const ACK_INTERVAL = 250;
const BACKOFF_MIN = 250;
const BACKOFF_MAX = 5000;
const MAX_PENDING = 100;
/** How long events for a new session wait for its tree to be whole (its first run to end) at most, in ms. */
const CARRY_WAIT = 3000;
/** Kinds a tree holds one of, named by kind alone. */
const ONE_OF_A_KIND = new Set(["chat", "conversations"]);
/** The server's close code when another connection resumed this session (reactchat/websocket.py). */
const CLOSE_REPLACED = 4001;
/** The server's close code when sign-in is required or the user's session ended (reactchat/websocket.py). */
export const CLOSE_SIGNED_OUT = 4401;

export interface ConnectionHooks {
  /** Ops were applied to the store (schedule a render). */
  applied(): void;
  status(s: Status): void;
  /** A new session replaced ours and has no chat input to send them to: these submitted texts never reached it. */
  lost(texts: string[]): void;
  /** The server's NOTE: a non-fatal notice to show briefly. */
  note(text: string): void;
}

/**
 * HELLO: the session's resume token, the highest client event seq the server has received from this tab, and the
 * number EVACK names this tab by (null from a server that sends none).
 */
export interface Hello {
  token: string;
  lastEvSeq: number;
  tab: number | null;
}

/**
 * The connection's own ops in a frame (the store skips them): the last HELLO, the NOTE texts in order, and the
 * highest event the server says it applied (EVACK) of the tab it numbers `tab` (a HELLO in the frame renumbers).
 */
export function controlOps(
  ops: readonly unknown[],
  tab: number | null = null,
): { hello: Hello | null; notes: string[]; applied: number | null } {
  let hello: Hello | null = null;
  let applied: number | null = null;
  const notes: string[] = [];
  for (const op of ops) {
    if (!Array.isArray(op)) continue;
    const a: unknown[] = op;
    if (a[0] === HELLO && typeof a[1] === "string" && Number.isInteger(a[2])) {
      hello = { token: a[1], lastEvSeq: a[2] as number, tab: Number.isInteger(a[3]) ? (a[3] as number) : null };
      tab = hello.tab;
    } else if (a[0] === NOTE && typeof a[1] === "string") notes.push(a[1]);
    else if (a[0] === EVACK && tab !== null && a[1] === tab && Number.isInteger(a[2])) {
      applied = Math.max(applied ?? 0, a[2] as number);
    }
  }
  return { hello, notes, applied };
}

function loadPending(): EvMessage[] {
  try {
    const v: unknown = JSON.parse(load(KEYS.pending) ?? "[]");
    return Array.isArray(v) ? (v.filter((m) => Array.isArray(m) && m[0] === "ev") as EvMessage[]) : [];
  } catch {
    return [];
  }
}

export class Connection {
  private ws: WebSocket | null = null;
  /** Open and HELLO received: events may be sent. */
  private ready = false;
  /** Waiting for the SNAP that follows HELLO when we sent last_seq -1 or the session is new. */
  private needSnap = false;
  private lastSeq = -1;
  private ackedSeq = -1;
  private ackTimer: ReturnType<typeof setTimeout> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  /** Another tab took this session over (close code 4001); see ws.onclose. */
  private replaced = false;
  private sentToken: string | null = null;
  private evSeq = Number(load(KEYS.evSeq)) || 0;
  private pending: EvMessage[] = loadPending();
  /** What the session's EVACKs name this tab by (from its HELLO). */
  private tabNumber: number | null = null;
  /** The session's last RUN said a run is going (a new session's tree is not whole before its first ends). */
  private running = false;
  /** Sends what `carrying` holds if the new session's first run has not ended by then (`CARRY_WAIT`). */
  private carryTimer: ReturnType<typeof setTimeout> | null = null;
  /** Events a replaced session never applied, for the new one once its tree is here (sendAgain). */
  private resubmit: EvMessage[] = [];
  /** A new session replaced ours and its tree is not whole yet: events wait in `resubmit`. */
  private carrying = false;
  /** Event seq -> what a carried event names (nameOf), which a new session's tree shows under another id. */
  private readonly named = new Map<number, string>();

  constructor(
    private readonly url: string,
    private readonly store: Store,
    private readonly hooks: ConnectionHooks,
  ) {
    addEventListener("online", () => this.retryNow());
    watchTabId(() => {
      // We are a duplicate: the copied events and numbers were the other tab's. Start ours afresh.
      this.evSeq = 0;
      this.pending = [];
      this.ws?.close();
    });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.retryNow();
    });
  }

  connect(): void {
    this.retryTimer = null;
    this.ready = false;
    this.hooks.status("connecting");
    const early = takeBoot();
    if (early !== null && early.tab === tabId() && early.ws.url.split("?")[0] === this.url) {
      this.adopt(early);
      return;
    }
    early?.ws.close();
    const ws = new WebSocket(this.url);
    ws.binaryType = "arraybuffer";
    this.listen(ws, true);
  }

  /** Take over the socket the page's boot opened, with the hello it sent and the frames it got. */
  private adopt(early: Boot): void {
    if (early.sent) this.helloSent(early.token);
    this.listen(early.ws, !early.sent);
    // After the caller (the page, building itself) returns: the frames' hooks render it.
    queueMicrotask(() => {
      for (const data of early.frames) if (this.ws === early.ws) this.receive(data);
    });
  }

  private helloSent(token: string | null): void {
    this.sentToken = token;
    this.ackedSeq = this.lastSeq;
    this.needSnap = this.lastSeq < 0;
  }

  private listen(ws: WebSocket, greet: boolean): void {
    this.ws = ws;
    if (greet) {
      ws.onopen = () => {
        this.helloSent(sessionToken());
        this.raw(hello(this.sentToken, this.lastSeq, tabId(), conversationIn(location.pathname)));
      };
    }
    ws.onmessage = (e: MessageEvent) => this.receive(e.data);
    ws.onclose = (e: CloseEvent) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.ready = false;
      if (e.code === CLOSE_SIGNED_OUT) {
        this.signedOut();
        return;
      }
      this.hooks.status("closed");
      if (e.code === CLOSE_REPLACED) {
        // Another tab (a duplicate, sharing our sessionStorage) resumed this session. Retrying on a timer
        // would make the two tabs take it from each other forever: take it back only when the user comes
        // back to this tab.
        this.replaced = true;
        return;
      }
      const delay = Math.min(BACKOFF_MAX, BACKOFF_MIN * 2 ** this.attempt++);
      this.retryTimer = setTimeout(() => this.connect(), delay * (0.5 + Math.random() * 0.5));
    };
  }

  /** Queue a user event; it is resent after reconnects until a HELLO confirms it. */
  event(nodeId: number, action: string, value: Value): void {
    const msg: EvMessage = ["ev", ++this.evSeq, nodeId, action, value];
    const name = this.nameOf(nodeId);
    if (name !== null) this.named.set(msg[1], name);
    save(KEYS.evSeq, String(this.evSeq));
    if (this.carrying) {
      this.resubmit.push(msg); // it names a node of the old tree too: it goes with them (sendAgain)
      return;
    }
    this.pending.push(msg);
    if (this.pending.length > MAX_PENDING) this.pending.shift();
    this.savePending();
    if (this.ready) this.raw(msg);
  }

  /** What an event on `nodeId` names that another session's tree may show too (null: nothing). */
  private nameOf(nodeId: number): string | null {
    return nodeName(this.store.nodes.get(nodeId));
  }

  /** The resume token of the current session (authorises uploads). */
  get sessionToken(): string | null {
    return sessionToken();
  }

  stop(): void {
    if (this.ready) this.raw(["stop"]);
  }

  private receive(data: unknown): void {
    let frame: unknown;
    try {
      frame = data instanceof ArrayBuffer ? decode(data) : null;
    } catch (err) {
      console.error("reactchat: undecodable frame", err);
    }
    if (!isFrame(frame)) {
      // Our tree may now be out of step: ask for a snapshot on a fresh connection.
      this.lastSeq = -1;
      this.ws?.close();
      return;
    }
    const [version, seq, ops] = frame;
    if (version !== PROTOCOL_VERSION) {
      location.reload();
      return;
    }
    // A replayed frame we already applied (a SNAP always applies).
    if (seq !== null && seq <= this.lastSeq && !ops.some((op) => op[0] === SNAP)) return;
    this.store.applyAll(ops);
    const { hello, notes, applied } = controlOps(ops, this.tabNumber);
    if (hello) {
      this.tabNumber = hello.tab;
      this.onHello(hello.token, hello.lastEvSeq);
    }
    if (applied !== null) {
      // Applied (a prompt stored): no other session need ever see it, whatever happens to this one.
      this.pending = this.pending.filter((m) => m[1] > applied);
      for (const seq of this.named.keys()) if (seq <= applied) this.named.delete(seq);
      this.savePending();
    }
    for (const op of ops) if (op[0] === RUN) this.running = op[1] === "running";
    if (this.ready && (!this.needSnap || ops.some((op) => op[0] === SNAP))) {
      if (this.needSnap || hello) this.hooks.status("open");
      this.needSnap = false;
      if (this.carrying && !this.running) this.sendAgain(); // the new tree is whole once a run ended
      else if (this.carrying && this.carryTimer === null) {
        // A first run that never ends (a script waiting on something) must not hold the events forever.
        this.carryTimer = setTimeout(() => this.carrying && this.sendAgain(), CARRY_WAIT);
      }
    }
    if (seq !== null) {
      this.lastSeq = seq;
      this.scheduleAck();
    }
    for (const text of notes) this.hooks.note(text);
    this.hooks.applied();
  }

  /**
   * Sign-in is required, or the session ended: a retry would be refused again, a reload takes the visitor to the
   * sign-in page (or, where anonymous visitors are allowed, gives them a page of their own). Reload once only:
   * a page whose socket is refused again before any HELLO stays put, saying so, rather than reload in a loop
   * (and so does one whose storage cannot keep the mark that says it reloaded).
   */
  private signedOut(): void {
    this.hooks.status("signed-out");
    if (load(KEYS.signInReload) !== null) return;
    save(KEYS.signInReload, "1");
    if (load(KEYS.signInReload) !== null) location.reload();
  }

  private onHello(token: string, lastEvSeq: number): void {
    const newSession = this.sentToken !== null && token !== this.sentToken;
    save(KEYS.signInReload, null);
    setSessionToken(token);
    this.attempt = 0;
    if (newSession) {
      this.lastSeq = this.ackedSeq = -1;
      this.needSnap = true;
    }
    this.evSeq = Math.max(this.evSeq, lastEvSeq);
    save(KEYS.evSeq, String(this.evSeq));
    const unconfirmed = this.pending.filter((m) => m[1] > lastEvSeq);
    if (newSession) {
      // Another worker (or a restarted server) took over: those events name nodes of a tree it never had.
      // What the user submitted goes to its chat input once its tree is here, the rest to what it names
      // there (sendAgain); an event that names nothing another tree shows is dropped.
      this.pending = [];
      const carried = unconfirmed.filter((m) => m[3] === "submit" || this.named.has(m[1]));
      this.resubmit = this.carrying ? [...this.resubmit, ...carried] : carried; // (replaced again before sent)
      this.carrying = true;
    } else {
      this.pending = unconfirmed;
      for (const m of unconfirmed) this.raw(m);
    }
    this.savePending();
    this.ready = true;
  }

  /**
   * Send what a replaced session never applied to the new session, in order, with their own event numbers:
   * submits to its chat input, the rest to the node showing what they named (none: dropped). Each is applied
   * once. The server stores a prompt once by its number and answers it only if nothing follows it; a retry,
   * an edit, an undo or a switch of version that was applied took its message off the branch shown (a
   * retry or an edit is stored together with what it adds); the first message a retry's, an option's or a
   * button's run stores is kept under its number, and one that exists makes the event a plain rerun (a
   * fork's copy is named by it: the one made before is shown);
   * feedback, a widget's value and the list's actions are values, the same applied twice. An edit whose
   * message is not shown any more was stored (its new version shows) or the message is gone: its text goes
   * as a prompt, so the words are not lost (an edit kept without an answer was stored whole: dropped).
   */
  private sendAgain(): void {
    const shown = new Map<string, number>(); // what an event names -> its node in the new tree (-1: two)
    let input: number | null = null;
    for (const [id, rec] of this.store.nodes) {
      if (rec.kind === "chat_input" && input === null) input = id;
      const name = nodeName(rec);
      if (name !== null) shown.set(name, shown.has(name) ? -1 : id);
    }
    const lost: string[] = [];
    for (const [, seq, , action, value] of this.resubmit) {
      const node = action === "submit" ? -1 : (shown.get(this.named.get(seq) ?? "") ?? -1);
      let msg: EvMessage | null = node >= 0 ? ["ev", seq, node, action, value] : null;
      if (action === "submit" || (action === "edit" && node < 0 && typeof value === "string")) {
        const text = isMap(value) ? value["text"] : value;
        if (input !== null) msg = ["ev", seq, input, "submit", action === "submit" ? value : { text: value }];
        else if (typeof text === "string" && text) lost.push(text);
      }
      if (msg === null) continue;
      this.pending.push(msg);
      this.raw(msg);
    }
    this.resubmit = [];
    this.carrying = false;
    if (this.carryTimer !== null) clearTimeout(this.carryTimer);
    this.carryTimer = null;
    if (lost.length) this.hooks.lost(lost);
    this.savePending();
  }

  private scheduleAck(): void {
    if (this.ackTimer !== null) return;
    this.ackTimer = setTimeout(() => {
      this.ackTimer = null;
      if (this.lastSeq > this.ackedSeq && this.raw(["ack", this.lastSeq])) this.ackedSeq = this.lastSeq;
    }, ACK_INTERVAL);
  }

  private retryNow(): void {
    if (this.replaced) {
      if (document.visibilityState !== "visible" || this.ws !== null) return;
      this.replaced = false;
      this.connect();
      return;
    }
    if (this.retryTimer === null) return;
    clearTimeout(this.retryTimer);
    this.connect();
  }

  private raw(msg: ClientMessage): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(encode(msg as Value));
    return true;
  }

  private savePending(): void {
    save(KEYS.pending, this.pending.length ? JSON.stringify(this.pending) : null);
  }
}

/**
 * What a node shows that another session's tree shows by the same name (null: nothing it can be told by): a
 * stored message by its id, a widget by its type and label, the chat and the conversation list by kind.
 */
function nodeName(rec: { kind: string; props: Record<string, Value> } | undefined): string | null {
  if (rec === undefined) return null;
  const p = rec.props;
  if (rec.kind === "message") return typeof p["id"] === "string" ? `m:${p["id"]}` : null;
  if (rec.kind === "widget") return `w:${JSON.stringify([p["type"] ?? null, p["label"] ?? null])}`;
  return ONE_OF_A_KIND.has(rec.kind) ? `k:${rec.kind}` : null;
}
