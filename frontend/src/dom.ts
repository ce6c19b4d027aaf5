// Tiny DOM helpers. Strings go in through textContent; only server-sanitised HTML uses setHtml.
import { type IconName, icon } from "./icons";

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  cls?: string,
  attrs?: Record<string, string>,
  text?: string,
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  if (attrs) for (const k in attrs) el.setAttribute(k, attrs[k] as string);
  if (text !== undefined) el.textContent = text;
  return el;
}

let highlightLoaded = false;

/** Insert server-sanitised HTML; pulls in the Pygments stylesheet the first time it is needed. */
export function setHtml(el: HTMLElement, html: string): void {
  el.innerHTML = html;
  if (!highlightLoaded && html.includes('class="highlight"')) {
    highlightLoaded = true;
    document.head.append(h("link", undefined, { rel: "stylesheet", href: "/_rc/highlight.css" }));
  }
}

export const str = (v: unknown, dflt = ""): string =>
  typeof v === "string" ? v : typeof v === "number" ? String(v) : dflt;

/**
 * A `<form>` that never submits, around a text field: a field in a form of its own is that form's, so the
 * browser's form handling (Chrome's autofill) looks at that form on each keystroke, not at every control of
 * the page (10 ms a key at 10,000 messages, 2.5 at none; 4 in a form). `cls` styles it (`rc-quiet`: no box);
 * `kids` go in it.
 */
export function quietForm(cls: string, ...kids: Node[]): HTMLFormElement {
  const f = h("form", cls);
  f.addEventListener("submit", (e) => e.preventDefault());
  f.append(...kids);
  return f;
}

/** The buttons made by `needsIdle`, while they are in the page. */
const idleButtons = new Set<HTMLButtonElement>();

/**
 * Make `b` a button that needs the app idle: disabled now if `busy`, and by `setIdleButtons` while a run goes
 * (class `rc-idle`). Kept in a set, so a run's start and end touch these buttons only, not a walk of the whole
 * document (400,000 nodes at 10,000 messages, twice a turn).
 */
export function needsIdle(b: HTMLButtonElement, busy: boolean): HTMLButtonElement {
  b.classList.add("rc-idle");
  b.disabled = busy;
  idleButtons.add(b);
  return b;
}

/** Disable (`busy`) or enable every `needsIdle` button in the page; forget those no longer in it. */
export function setIdleButtons(busy: boolean): void {
  for (const b of idleButtons) {
    if (b.isConnected) b.disabled = busy;
    else idleButtons.delete(b); // made with the state of its moment, and gone since
  }
}

/**
 * An icon button (`name`; null: none, its text set after) for a chat action (see actions.ts). `idle` actions
 * need the app idle (`needsIdle`).
 */
export function actionButton(
  testid: string,
  label: string,
  name: IconName | null,
  idle: boolean,
  busy: boolean,
): HTMLButtonElement {
  const b = h("button", "rc-act", {
    type: "button",
    "data-testid": testid,
    "aria-label": label,
    title: label,
  });
  if (name) b.append(icon(name));
  return idle ? needsIdle(b, busy) : b;
}

/** The focused element, inside shadow roots too (`document.activeElement` names the host of one). */
export function focused(): Element | null {
  let el = document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el;
}

/** Make `parent`'s children exactly `els`, in order, moving as few of them as possible. */
export function arrange(parent: HTMLElement, els: readonly HTMLElement[]): void {
  let cursor = parent.firstChild;
  for (const el of els) {
    if (el === cursor) cursor = cursor.nextSibling;
    else parent.insertBefore(el, cursor);
  }
  while (cursor) {
    const next: ChildNode | null = cursor.nextSibling;
    cursor.remove();
    cursor = next;
  }
}

/**
 * Whether a keydown in a text box sends it: Enter without Shift (Shift+Enter is a newline), and not while an
 * input method is composing (keyCode 229: some browsers report IME keystrokes without isComposing). The
 * composer and the inline message editor share this rule.
 */
export function sendsText(e: KeyboardEvent): boolean {
  return e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229;
}
