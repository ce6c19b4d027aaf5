// The View interface every node kind implements, and the context views are built with.
import type { ChatOpts } from "./chatopts";
import type { Emit, Props } from "./protocol";

export interface View {
  readonly kind: string;
  readonly el: HTMLElement;
  /** Where the node's children go; null for kinds that render no children. */
  readonly body: HTMLElement | null;
  /** `textFrom`: string props are unchanged before this UTF-16 offset (absent: only lists changed). */
  update(props: Props, textFrom?: number): void;
  /** Re-apply the display options after the chat node changed. */
  refresh?(): void;
  /** Messages: whether this is the last message, and the last assistant message, of the transcript. */
  mark?(last: boolean, lastAssistant: boolean): void;
  /** Kinds shown outside the transcript (the sidebar): the element the app places. */
  readonly panel?: HTMLElement;
}

/** What every view is handed at construction; the renderer owns it and keeps `opts` current. */
export interface ViewContext {
  /** The display options of the app's chat node (the defaults while there is none). */
  readonly opts: ChatOpts;
  /** Send a user event on a node. */
  readonly emit: Emit;
  /** A run is going: actions that change the transcript (retry, undo, edit, clear) wait for it to end. */
  isBusy(): boolean;
}

/** Builds the view of one node kind. */
export type Factory = (id: number, ctx: ViewContext) => View;
