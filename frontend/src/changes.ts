// What a render tells the page around the transcript, and what the renderer needs from the page.
import type { ChatOpts } from "./chatopts";
import type { Emit, Overlay, Props } from "./protocol";
import type { RunState } from "./store";

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
