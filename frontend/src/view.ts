// The View interface every node kind implements: the element it owns and how it is patched.
import type { Props } from "./protocol";

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
