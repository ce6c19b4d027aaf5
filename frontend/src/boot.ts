// The page's first act: open the socket and send the hello before app.js has even arrived, so that the
// session's first run on the server (reading the conversation, declaring it) overlaps the download, parse and
// build of the page instead of following them. The HTML carries this module inline (built alone as boot.js,
// allowed by its hash in the page's Content-Security-Policy); app.js takes the socket over with `takeBoot`.
import { conversationIn } from "./listing";
import { encode } from "./msgpack";
import { type ClientMessage, PROTOCOL_VERSION } from "./protocol";
import { KEYS, load, sessionToken, tabId } from "./tab";

/** The socket the page opened early, and what came on it before app.js took it. */
export interface Boot {
  readonly ws: WebSocket;
  /** What the hello said: a connection that takes the socket over must agree with it. */
  readonly token: string | null;
  readonly tab: string;
  /** The hello went: in the URL, or once the socket opened. */
  sent: boolean;
  /** It closed before anyone took it: a new connection starts over. */
  closed: boolean;
  /** The server's frames so far, in order. */
  readonly frames: unknown[];
}

declare global {
  interface Window {
    reactchatBoot?: Boot;
  }
}

/** The hello message; the conversation is left out when the URL names none (see ClientMessage). */
export function hello(token: string | null, lastSeq: number, tab: string, conversation: string | null): ClientMessage {
  const v = PROTOCOL_VERSION;
  return conversation === null ? ["hello", v, token, lastSeq, tab] : ["hello", v, token, lastSeq, tab, conversation];
}

/** The server's socket, on this page's host. */
export function socketUrl(): string {
  return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/_rc/ws`;
}

/** Open the socket and say hello: in its URL (a fresh tab), else once it opens; nothing on failure (app.js then connects as ever). */
export function boot(): void {
  try {
    const tab = tabId();
    // Without sessionStorage, app.js would number this tab anew: its connection could not take this one over.
    if (load(KEYS.tab) !== tab) return;
    const token = sessionToken();
    const conversation = conversationIn(location.pathname);
    // A fresh tab (no session to resume) says hello in the URL: its session starts at the upgrade, without
    // waiting for the open event, which waits for the page's main thread (busy with app.js by then). A reload
    // resumes its session, whose tree is there at once, with the token in a message rather than the URL.
    const inUrl = token === null ? `?hello=${PROTOCOL_VERSION}&tab=${encodeURIComponent(tab)}${conversation === null ? "" : `&c=${conversation}`}` : "";
    const ws = new WebSocket(socketUrl() + inUrl);
    ws.binaryType = "arraybuffer";
    const b: Boot = { ws, token, tab, sent: inUrl !== "", closed: false, frames: [] };
    ws.onopen = () => {
      // A fresh page has no tree: last seq -1 asks for a snapshot.
      if (!b.sent) ws.send(encode(hello(token, -1, tab, conversation)));
      b.sent = true;
    };
    ws.onmessage = (e: MessageEvent) => void b.frames.push(e.data);
    ws.onclose = () => {
      b.closed = true;
    };
    window.reactchatBoot = b;
  } catch {
    // No WebSocket here, or storage that throws: the connection does it all later, the usual way.
  }
}

/** The early socket, once (null when there is none, or it closed unclaimed). */
export function takeBoot(): Boot | null {
  const b = typeof window === "undefined" ? undefined : window.reactchatBoot;
  if (b === undefined) return null;
  delete window.reactchatBoot;
  return b.closed ? null : b;
}
