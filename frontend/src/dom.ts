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
