// What a render tells the page around the transcript, and what the renderer needs from the page.
import type { ChatOpts } from "./chatopts";
import type { Emit, Overlay, Props } from "./protocol";
import type { NodeRec, RunState } from "./store";
import type { View } from "./view";

/** What the renderer needs from the app; the views get it too, with the current chat options. */
export interface RendererHooks {
  /** Send a user event on a node. */
  emit: Emit;
  /** A run is going. */
  isBusy(): boolean;
}

/** What a render changed that the page around the transcript follows (absent: unchanged). */
export interface Changes {
  /** Messages were added, removed, moved or changed role. */
  messages: boolean;
  /** The chat node's id and display options, when either changed (the views already follow them). */
  chat?: { id: number | null; opts: ChatOpts };
  /** The chat_input to bind the composer to (id null: none), when one appeared, vanished or changed. */
  input?: { id: number | null; props: Props };
  /** The (last) sidebar's panel (null: none), when a sidebar appeared or vanished. */
  sidebar?: HTMLElement | null;
  /** The (last) title's text (null: none), when a title appeared, vanished or changed. */
  title?: string | null;
  /** The (last) conversations node (id null: none), its panel and props, when one appeared, vanished or changed. */
  conversations?: { id: number | null; panel: HTMLElement | null; props: Props | null };
  /** The run state, when a RUN op set it. */
  run?: RunState;
  /** Whether the run waits in a line (a queue node is shown), when that changed. */
  waiting?: boolean;
  /** The error overlay (null: cleared), when an ERR op set it. */
  overlay?: Overlay | null;
}

/** Nothing changed yet: what a render collects as it goes. */
export const unchanged = () => ({
  inputs: false,
  titles: false,
  chats: false,
  sidebars: false,
  lists: false,
  messages: false,
  waits: false,
  run: false,
  overlay: false,
});

/** The renderer's nodes and views, for the functions below. */
export interface Nodes {
  node(id: number): NodeRec | undefined;
  view(id: number): View | undefined;
}

/** The (last) chat_input node of `ids` and its props. */
export function lastInput(ids: Iterable<number>, n: Nodes): { id: number | null; props: Props } {
  let id: number | null = null;
  for (const i of ids) if (n.node(i)) id = i;
  return { id, props: (id === null ? undefined : n.node(id)?.props) ?? {} };
}

/** The (last) title's text. */
export function lastTitle(ids: Iterable<number>, n: Nodes): string | null {
  let text: string | null = null;
  for (const id of ids) {
    const t = n.node(id)?.props["text"];
    if (t !== undefined) text = typeof t === "string" ? t : String(t);
  }
  return text;
}

/** The (last) sidebar node's panel. */
export function lastPanel(ids: Iterable<number>, n: Nodes): HTMLElement | null {
  let panel: HTMLElement | null = null;
  for (const id of ids) panel = n.view(id)?.panel ?? panel;
  return panel;
}

/** The (last) conversations node, its panel and props. */
export function lastList(
  ids: Iterable<number>,
  n: Nodes,
): { id: number | null; panel: HTMLElement | null; props: Props | null } {
  let id: number | null = null;
  for (const i of ids) if (n.node(i)) id = i;
  const props = (id === null ? undefined : n.node(id)?.props) ?? null;
  return { id, panel: (id === null ? undefined : n.view(id)?.panel) ?? null, props };
}
