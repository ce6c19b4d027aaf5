// The address bar: the URL follows the conversation the tab shows (`/c/<id>`, `/`), and back/forward switch it.
import { conversationIn, historyMove, type Listing, listing } from "./listing";
import type { Emit, Props } from "./protocol";

/** The page's URL and history (the browser's by default; tests hand in their own). */
export interface Place {
  path(): string;
  push(path: string): void;
  replace(path: string): void;
  /** Call `fn` after the user went back or forward. */
  onPop(fn: () => void): void;
}

/** The browser's; a new path keeps the page's query string (the app's own parameters), not its hash. */
export const browserPlace = (): Place => ({
  path: () => location.pathname,
  push: (p) => history.pushState(null, "", p + location.search),
  replace: (p) => history.replaceState(null, "", p + location.search),
  onPop: (fn) => addEventListener("popstate", fn),
});

export class Address {
  /** The conversations node (null: none) and the listing it last showed. */
  private node: number | null = null;
  private shown: Listing | null = null;

  constructor(
    private readonly emit: Emit,
    private readonly place: Place = browserPlace(),
  ) {
    place.onPop(() => this.popped());
  }

  /** After a render that changed the conversations node: its id and props (null: the node is gone). */
  follow(node: number | null, props: Props | null): void {
    this.node = node;
    if (node === null || props === null) {
      this.shown = null;
      return;
    }
    const next = listing(props);
    const move = historyMove(this.shown, next, this.place.path());
    this.shown = next;
    if (move === "push") this.place.push(next.path);
    else if (move === "replace") this.place.replace(next.path);
  }

  /** Back or forward: ask for the conversation the URL names (a hash link's entry names the shown one). */
  private popped(): void {
    if (this.node === null || this.shown === null) return;
    const id = conversationIn(this.place.path());
    if (id === this.shown.active) return;
    if (id === null) this.emit(this.node, "conversation_new", null);
    else this.emit(this.node, "conversation_open", id);
  }
}
