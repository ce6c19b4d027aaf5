// The connection's own ops: HELLO (resume token, last event seq) and NOTE, which the store skips; and what a
// closed socket leads to: a retry, or (sign-in required) one reload of the page and no more.
import assert from "node:assert/strict";
import { describe, mock, test } from "node:test";
import { boot, hello } from "../src/boot";
import { CLOSE_SIGNED_OUT, Connection, controlOps, type Status } from "../src/connection";
import { decode, encode } from "../src/msgpack";
import { EVACK, HELLO, INS, PROTOCOL_VERSION, RUN, SNAP } from "../src/protocol";
import { Store } from "../src/store";
import { KEYS } from "../src/tab";
import { freshDom } from "./dom";

describe("control ops", () => {
  test("HELLO and NOTE are recorded", () => {
    const c = controlOps([[8, { message: "m", file: "f.py", line: 2, text: "t" }], [9, "tok", 4, 3], [10, "hey"]]);
    assert.deepEqual(c.hello, { token: "tok", lastEvSeq: 4, tab: 3 });
    assert.deepEqual(c.notes, ["hey"]);
  });

  test("the last HELLO wins, NOTEs keep their order, malformed ones are skipped", () => {
    const c = controlOps([[9, "a", 1], [10, "one"], null, [9, 5, 5], [9, "b", 1.5], [10, 3], [9, "c", 7], [10, "two"]]);
    assert.deepEqual(c.hello, { token: "c", lastEvSeq: 7, tab: null });
    assert.deepEqual(c.notes, ["one", "two"]);
    assert.deepEqual(controlOps([[1, "running"], [3, 1, {}]]), { hello: null, notes: [], applied: null });
  });

  test("EVACK: the highest event of this tab the server applied; other tabs' and malformed ones are skipped", () => {
    const ops = [[11, 1, 4], [11, 2, 9], [11, 1, 6], [11, 1, "7"], [11, 1, 5]];
    assert.equal(controlOps(ops, 1).applied, 6);
    assert.equal(controlOps(ops, 3).applied, null);
    assert.equal(controlOps(ops, null).applied, null, "before any HELLO numbered it");
    assert.equal(controlOps([[9, "tok", 0, 2], ...ops]).applied, 9, "a HELLO in the frame numbers it");
  });
});

describe("hello", () => {
  test("names the conversation of the page's URL, and leaves it out when there is none", () => {
    assert.deepEqual(hello("tok", 3, "tab1", "a1"), ["hello", PROTOCOL_VERSION, "tok", 3, "tab1", "a1"]);
    assert.deepEqual(hello(null, -1, "tab1", null), ["hello", PROTOCOL_VERSION, null, -1, "tab1"]);
  });
});

/** The sockets a page opened: the browser's WebSocket, as far as the connection uses it. */
class FakeSocket {
  static readonly OPEN = 1;
  static made: FakeSocket[] = [];
  readyState = 0;
  binaryType = "blob";
  sent: unknown[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.made.push(this);
  }
  send(data: unknown): void {
    this.sent.push(data);
  }
  close(): void {
    this.closeWith(1005);
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.();
  }
  /** The server's HELLO frame: the session's token and the last event seq it received. */
  hello(token: string): void {
    this.frame([[HELLO, token, 0]]);
  }
  /** A frame of `ops` from the server. */
  frame(ops: unknown[], seq: number | null = 1): void {
    this.onmessage?.({ data: encode([PROTOCOL_VERSION, seq, ops] as never).slice().buffer });
  }
  /** The client messages sent, decoded. */
  messages(): unknown[] {
    return this.sent.map((d) => decode(d as Uint8Array));
  }
  closeWith(code: number): void {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

/**
 * A browser tab for the connection: sessionStorage (kept across the "reloads", as a tab keeps it, or failing
 * like a private window's), location, window events, WebSocket. Each `page()` is a fresh load in that tab.
 */
function tab(storage: "works" | "fails" = "works") {
  freshDom();
  const g = globalThis as unknown as Record<string, unknown>;
  const kept = new Map<string, string>();
  const fail = () => {
    throw new Error("SecurityError");
  };
  g["sessionStorage"] = {
    getItem: (k: string) => (storage === "fails" ? fail() : (kept.get(k) ?? null)),
    setItem: (k: string, v: string) => (storage === "fails" ? fail() : void kept.set(k, v)),
    removeItem: (k: string) => void kept.delete(k),
  };
  const reloads = { count: 0 };
  g["location"] = { pathname: "/", protocol: "http:", host: "x", reload: () => void reloads.count++ };
  const windowListeners: Record<string, (() => void)[]> = {};
  g["addEventListener"] = (type: string, fn: () => void) => void (windowListeners[type] ??= []).push(fn);
  g["BroadcastChannel"] = undefined;
  g["WebSocket"] = FakeSocket;
  FakeSocket.made = [];
  const page = () => {
    const statuses: Status[] = [];
    const lost: string[][] = [];
    const conn = new Connection("ws://x/_rc/ws", new Store(), {
      applied: () => {},
      status: (s) => void statuses.push(s),
      lost: (texts) => void lost.push(texts),
      note: () => {},
    });
    conn.connect();
    const socket = FakeSocket.made[FakeSocket.made.length - 1] as FakeSocket;
    socket.open();
    return { statuses, socket, conn, lost };
  };
  const online = () => (windowListeners["online"] ?? []).forEach((fn) => fn());
  return { page, reloads, kept, online };
}

describe("the page's boot socket", () => {
  /** The page's app: a connection made after the boot script ran, with what it reported. */
  const app = () => {
    const statuses: Status[] = [];
    const conn = new Connection("ws://x/_rc/ws", new Store(), {
      applied: () => {},
      status: (s) => void statuses.push(s),
      lost: () => {},
      note: () => {},
    });
    conn.connect();
    return { conn, statuses };
  };

  test("a fresh tab says hello in the URL; the app takes the socket and the frames it got over", async () => {
    const { kept } = tab();
    (globalThis as unknown as { location: { pathname: string } }).location.pathname = "/c/abc123";
    boot();
    const early = FakeSocket.made[0] as FakeSocket;
    assert.match(early.url, new RegExp(`^ws://x/_rc/ws\\?hello=${PROTOCOL_VERSION}&tab=[0-9a-f]{24}&c=abc123$`));
    assert.equal(early.binaryType, "arraybuffer");
    early.open();
    early.hello("tok");
    early.frame([[SNAP, root(5)]], 1);
    const { conn, statuses } = app();
    assert.equal(FakeSocket.made.length, 1, "no second socket");
    await Promise.resolve(); // the frames are applied once the page's own build returned
    assert.equal(statuses.at(-1), "open");
    assert.equal(kept.get(KEYS.token), "tok");
    conn.event(5, "submit", "hi");
    assert.deepEqual(early.messages(), [["ev", 1, 5, "submit", "hi"]], "the hello went in the URL only");
  });

  test("a reloaded tab resumes with its token in the hello message, not in the URL", () => {
    const { kept } = tab();
    kept.set(KEYS.token, "secret");
    boot();
    const early = FakeSocket.made[0] as FakeSocket;
    assert.equal(early.url, "ws://x/_rc/ws");
    app(); // before the socket opened: the app says hello itself, once
    early.open();
    assert.deepEqual(early.messages(), [["hello", PROTOCOL_VERSION, "secret", -1, kept.get(KEYS.tab)]]);
  });

  test("a boot socket that closed before the app came is replaced by a new one", () => {
    tab();
    boot();
    (FakeSocket.made[0] as FakeSocket).closeWith(1006);
    app();
    assert.equal(FakeSocket.made.length, 2);
  });

  test("without sessionStorage there is no boot: the app connects as ever", () => {
    tab("fails");
    boot();
    assert.equal(FakeSocket.made.length, 0);
  });
});

describe("a closed socket", () => {
  test("an ordinary close is retried on a timer", () => {
    mock.timers.enable({ apis: ["setTimeout"] });
    try {
      const { page } = tab();
      const { statuses, socket } = page();
      socket.closeWith(1006);
      assert.equal(statuses.at(-1), "closed");
      mock.timers.tick(5000);
      assert.equal(FakeSocket.made.length, 2);
    } finally {
      mock.timers.reset();
    }
  });

  test("sign-in required (4401): the page reloads once, never retries, and a second refusal stays put", () => {
    mock.timers.enable({ apis: ["setTimeout"] });
    try {
      const { page, reloads, online } = tab();
      const first = page();
      first.socket.closeWith(CLOSE_SIGNED_OUT);
      assert.equal(first.statuses.at(-1), "signed-out");
      assert.equal(reloads.count, 1);
      mock.timers.tick(60_000);
      online();
      assert.equal(FakeSocket.made.length, 1, "no reconnect: it would be refused again");
      // The reloaded page is refused too (the server served the app, not the sign-in page): no loop.
      const second = page();
      second.socket.closeWith(CLOSE_SIGNED_OUT);
      assert.equal(second.statuses.at(-1), "signed-out");
      assert.equal(reloads.count, 1);
      mock.timers.tick(60_000);
      online();
      assert.equal(FakeSocket.made.length, 2);
    } finally {
      mock.timers.reset();
    }
  });

  test("after a HELLO (signed in again), a later 4401 reloads again", () => {
    const { page, reloads, kept } = tab();
    page().socket.closeWith(CLOSE_SIGNED_OUT);
    assert.equal(reloads.count, 1);
    const signedIn = page();
    signedIn.socket.hello("tok");
    assert.equal(kept.get(KEYS.signInReload), undefined, "the mark goes once a session is open");
    signedIn.socket.closeWith(CLOSE_SIGNED_OUT);
    assert.equal(reloads.count, 2);
  });

  test("without storage to remember the reload, a 4401 does not reload (it could not stop)", () => {
    const { page, reloads } = tab("fails");
    const { statuses, socket } = page();
    socket.closeWith(CLOSE_SIGNED_OUT);
    assert.equal(statuses.at(-1), "signed-out");
    assert.equal(reloads.count, 0);
  });
});

/** A root holding a chat input with id `input` (none when null). */
const root = (input: number | null) => [0, "root", {}, input === null ? [] : [[input, "chat_input", {}, []]]];

describe("events another session must not lose", () => {
  test("a prompt the replaced session never applied goes to the new session's chat input, once", () => {
    mock.timers.enable({ apis: ["setTimeout"] });
    try {
      const { page } = tab();
      const { socket, conn } = page();
      socket.frame([[HELLO, "first", 0, 1], [SNAP, root(5)]]);
      conn.event(5, "submit", "kept"); // ev 1: applied, the server says
      conn.event(5, "submit", "sent as the worker died"); // ev 2: never applied
      socket.frame([[EVACK, 1, 1]], 2);
      socket.closeWith(1006);
      mock.timers.tick(5000);
      const next = FakeSocket.made.at(-1) as FakeSocket;
      next.open();
      next.frame([[HELLO, "second", 0], [SNAP, root(9)]]); // another worker: a new session, a new tree
      const evs = next.messages().filter((m) => Array.isArray(m) && m[0] === "ev");
      assert.deepEqual(evs, [["ev", 2, 9, "submit", "sent as the worker died"]]);
    } finally {
      mock.timers.reset();
    }
  });

  /**
   * Two stored messages (m1 the user's, m2 the answer), a slider, a button, the chat, the list and a chat
   * input, under the ids given (the last four at `widget` + 1, 2, 3).
   */
  const shown = (input: number, answer: number, other: number, widget = 8) => [0, "root", {}, [
    [other, "message", { role: "user", id: "m1" }, []],
    [answer, "message", { role: "assistant", id: "m2" }, []],
    [widget, "widget", { type: "slider", label: "Temperature", value: 0.5 }, []],
    [widget + 1, "widget", { type: "button", label: "Summarise" }, []],
    [widget + 2, "chat", {}, []],
    [widget + 3, "conversations", {}, []],
    [input, "chat_input", {}, []],
  ]];

  /** Runs `body` with the timers mocked (a reconnect waits on one). */
  const timed = (body: () => void): void => {
    mock.timers.enable({ apis: ["setTimeout"] });
    try {
      body();
    } finally {
      mock.timers.reset();
    }
  };

  /**
   * A tab that did `send` while its session died: its connection, the socket a new session answered on (its
   * HELLO in, its tree not yet) and the events sent there.
   */
  const replaced = (send: (conn: Connection) => void) => {
    const { page } = tab();
    const { socket, conn } = page();
    socket.frame([[HELLO, "first", 0, 1], [SNAP, shown(5, 6, 7)], [RUN, "done"]]);
    send(conn);
    socket.closeWith(1006);
    mock.timers.tick(5000);
    const again = FakeSocket.made.at(-1) as FakeSocket;
    again.open();
    again.frame([[HELLO, "second", 0]], null);
    return { conn, again, evs: () => again.messages().filter((m) => Array.isArray(m) && m[0] === "ev") };
  };

  /** What a tab that did `send` while its session died sends the new one, once its tree (`next`) is here. */
  const resent = (send: (conn: Connection) => void, next: unknown[] = shown(15, 17, 16, 18)): unknown[] => {
    let evs: unknown[] = [];
    timed(() => {
      const { again, evs: sent } = replaced(send);
      again.frame([[SNAP, next]]); // the same messages under other ids
      evs = sent();
    });
    return evs;
  };

  test("events go, in order, to what they name in the new tree", () => {
    const evs = resent((conn) => {
      conn.event(6, "feedback", "like");
      conn.event(8, "set", 0.9);
      conn.event(5, "submit", "and then?");
      conn.event(6, "retry", null);
      conn.event(7, "edit", { text: "better", answer: false });
      conn.event(6, "undo", null);
      conn.event(6, "branch", -1);
      conn.event(6, "option", "yes");
      conn.event(9, "click", null);
      conn.event(10, "example", 0);
      conn.event(11, "conversation_new", null);
      conn.event(6, "copy", null); // for the app's on_copy
    });
    assert.deepEqual(evs, [
      ["ev", 1, 17, "feedback", "like"], ["ev", 2, 18, "set", 0.9], ["ev", 3, 15, "submit", "and then?"],
      ["ev", 4, 17, "retry", null], ["ev", 5, 16, "edit", { text: "better", answer: false }],
      ["ev", 6, 17, "undo", null], ["ev", 7, 17, "branch", -1], ["ev", 8, 17, "option", "yes"],
      ["ev", 9, 19, "click", null], ["ev", 10, 20, "example", 0], ["ev", 11, 21, "conversation_new", null],
      ["ev", 12, 17, "copy", null],
    ]);
  });

  test("an action whose message is not shown any more was applied, or the message is gone: dropped", () => {
    const elsewhere = [0, "root", {}, [[30, "message", { role: "assistant", id: "m3" }, []], [31, "chat_input", {}, []]]];
    const evs = resent((conn) => {
      conn.event(6, "retry", null);
      conn.event(6, "feedback", "like");
      conn.event(7, "edit", { text: "kept without an answer", answer: false });
      conn.event(6, "fork", null); // its message is not in this conversation
    }, elsewhere);
    assert.deepEqual(evs, []);
  });

  test("an edit whose message is not shown goes as a prompt: the server stores and answers it once", () => {
    const elsewhere = [0, "root", {}, [[31, "chat_input", {}, []]]];
    assert.deepEqual(resent((conn) => conn.event(7, "edit", "better"), elsewhere), [["ev", 1, 31, "submit", { text: "better" }]]);
  });

  test("a new session's tree is whole only once its first run ended: resent events wait for that", () => {
    timed(() => {
      const { conn, again, evs } = replaced((conn) => {
        conn.event(6, "retry", null);
        conn.event(5, "submit", "and then?");
      });
      conn.event(6, "feedback", "like"); // a click on the old tree before the new one came: it goes with them
      again.frame([[SNAP, [0, "root", {}, []]], [RUN, "running"]]);
      assert.deepEqual(evs(), [], "nothing is shown yet: neither the message nor the input");
      const nodes = (shown(15, 17, 16) as unknown[])[3] as unknown[];
      again.frame([...nodes.map((n) => [INS, 0, null, n]), [RUN, "done"]], 2); // the first run ended
      assert.deepEqual(evs(), [
        ["ev", 1, 17, "retry", null], ["ev", 2, 15, "submit", "and then?"], ["ev", 3, 17, "feedback", "like"],
      ]);
    });
  });

  test("a new session whose first run does not end gets the events after a while, to what it shows", () => {
    timed(() => {
      const { again, evs } = replaced((conn) => conn.event(5, "submit", "and then?"));
      again.frame([[SNAP, shown(15, 17, 16)], [RUN, "running"]]);
      assert.deepEqual(evs(), []);
      mock.timers.tick(3000);
      assert.deepEqual(evs(), [["ev", 1, 15, "submit", "and then?"]]);
    });
  });

  test("a new session that goes before the events reach it hands them on to the next one", () => {
    timed(() => {
      const { again } = replaced((conn) => conn.event(5, "submit", "and then?"));
      again.closeWith(1006); // its tree never came
      mock.timers.tick(5000);
      const third = FakeSocket.made.at(-1) as FakeSocket;
      third.open();
      third.frame([[HELLO, "third", 0]], null);
      third.frame([[SNAP, shown(15, 17, 16)], [RUN, "done"]]);
      const evs = third.messages().filter((m) => Array.isArray(m) && m[0] === "ev");
      assert.deepEqual(evs, [["ev", 1, 15, "submit", "and then?"]]);
    });
  });

  test("two widgets alike in the new tree: a value is not guessed onto either", () => {
    const twice = [0, "root", {}, [
      [40, "widget", { type: "slider", label: "Temperature" }, []], [41, "widget", { type: "slider", label: "Temperature" }, []],
    ]];
    assert.deepEqual(resent((conn) => conn.event(8, "set", 0.9), twice), []);
  });

  test("with no chat input in the new session's tree, the words go back to the user", () => {
    mock.timers.enable({ apis: ["setTimeout"] });
    try {
      const { page } = tab();
      const { socket, conn, lost } = page();
      socket.frame([[HELLO, "first", 0], [SNAP, root(5)]]);
      conn.event(5, "submit", { text: "my words", files: [] });
      socket.closeWith(1006);
      mock.timers.tick(5000);
      const next = FakeSocket.made.at(-1) as FakeSocket;
      next.open();
      next.frame([[HELLO, "second", 0], [SNAP, root(null)]]);
      assert.deepEqual(lost, [["my words"]]);
      assert.deepEqual(next.messages().filter((m) => Array.isArray(m) && m[0] === "ev"), []);
    } finally {
      mock.timers.reset();
    }
  });
});
