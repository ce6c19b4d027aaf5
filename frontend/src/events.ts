// How views reach the server: `emit` sends a user event (the app wires it to the connection), and
// `setBusy` disables the actions that depend on the transcript while a run is going.
import type { Value } from "./protocol";

export type Emit = (nodeId: number, action: string, value: Value) => void;

export let emit: Emit = () => {};

export function setEmit(f: Emit): void {
  emit = f;
}

/** A run is going: buttons with class `rc-idle` are disabled until it ends. */
export let busy = false;

export function setBusy(b: boolean): void {
  if (b === busy) return;
  busy = b;
  for (const el of document.querySelectorAll<HTMLButtonElement>("button.rc-idle")) el.disabled = b;
}
