// Tiny DOM helpers. Strings go in through textContent; only server-sanitised HTML uses setHtml.

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
 * An icon button for a chat action (see actions.ts). `idle` actions need the app idle, so they start disabled
 * while a run is going (class `rc-idle`: the app toggles them). `icon` must be one of our constant SVG strings.
 */
export function actionButton(testid: string, label: string, icon: string, idle: boolean, busy: boolean): HTMLButtonElement {
  const b = h("button", idle ? "rc-act rc-idle" : "rc-act", {
    type: "button",
    "data-testid": testid,
    "aria-label": label,
    title: label,
  });
  b.append(iconNode(icon));
  b.disabled = idle && busy;
  return b;
}

const parsedIcons = new Map<string, DocumentFragment>();

/** A copy of `icon` (constant SVG markup), parsed once: a transcript draws the same few icons on every
 * message, and copying a parsed node costs a fraction of parsing its markup again. */
export function iconNode(icon: string): Node {
  let parsed = parsedIcons.get(icon);
  if (parsed === undefined || parsed.ownerDocument !== document) {
    const t = document.createElement("template");
    t.innerHTML = icon; // a constant
    parsed = t.content;
    parsedIcons.set(icon, parsed);
  }
  return parsed.cloneNode(true);
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
