// The server-rendered HTML kinds: markdown (block by block while it streams) and html; math and code buttons.
import { copyText } from "./clipboard";
import { h, setHtml, str } from "./dom";
import { typeset } from "./math";
import type { View, ViewContext } from "./view";


/**
 * `html` is the whole text's HTML; `cuts` are the ends of its finished blocks (none: one block). Each finished block is
 * parsed into the DOM once; only blocks at or after the changed offset, and the open tail, are redone.
 */
export function markdownView(_id: number, ctx: ViewContext): View {
  const el = h("div", "rc-md");
  const tail = h("div", "rc-tail");
  el.append(tail);
  const blockEls: HTMLElement[] = [];
  const ends: number[] = [];
  let tailHtml = "";
  return {
    kind: "markdown",
    el,
    body: null,
    update(p, textFrom = Infinity) {
      const html = str(p["html"]);
      // Without cuts, the HTML is one finished block (the server leaves them out for one).
      const raw = Array.isArray(p["cuts"]) ? p["cuts"] : html ? [html.length] : [];
      const cuts = raw.filter((c): c is number => typeof c === "number");
      let keep = 0;
      while (keep < ends.length && keep < cuts.length && cuts[keep] === ends[keep] && (ends[keep] as number) <= textFrom) {
        keep++;
      }
      while (blockEls.length > keep) blockEls.pop()?.remove();
      ends.length = keep;
      for (let i = keep; i < cuts.length; i++) {
        const b = h("div", "rc-block");
        const part = html.slice(i ? cuts[i - 1] : 0, cuts[i]);
        setHtml(b, part);
        enhance(b, part, ctx);
        el.insertBefore(b, tail);
        blockEls.push(b);
        ends.push(cuts[i] as number);
      }
      const t = html.slice(cuts.length ? cuts[cuts.length - 1] : 0);
      if (t === tailHtml) return;
      const added = t.startsWith(tailHtml) ? t.slice(tailHtml.length) : null;
      const at = added === null ? null : textEnd(tail, tailHtml, added, ctx);
      tailHtml = t;
      if (at && added !== null) {
        at.appendData(plain(added) as string); // the open block only grew by text: no re-parse, no new nodes to style
      } else {
        setHtml(tail, t);
        enhance(tail, t, ctx);
      }
    },
    refresh: () => codeButtons(el, ctx.opts.copyCode),
  };
}

export function htmlView(_id: number, ctx: ViewContext): View {
  const el = h("div", "rc-md rc-html");
  let html = "";
  return {
    kind: "html",
    el,
    body: null,
    update(p) {
      setHtml(el, (html = str(p["html"])));
      enhance(el, html, ctx);
    },
    refresh: () => codeButtons(el, ctx.opts.copyCode),
  };
}

/** Elements in which the HTML parser does not put text where it stands (it moves it before the table). */
const NO_TEXT = new Set(["TABLE", "THEAD", "TBODY", "TFOOT", "TR", "COLGROUP", "SELECT"]);

const ENTITY = /&(?:amp|lt|gt|quot|#39|#x27);/g;
const CHARS: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&#x27;": "'" };

/** The text that `html` stands for when it is text only (no tag, carriage return or other entity), else null. */
function plain(html: string): string | null {
  if (/[<\r\0]/.test(html) || html.replace(ENTITY, "").includes("&")) return null;
  return html.includes("&") ? html.replace(ENTITY, (e) => CHARS[e] as string) : html;
}

/**
 * The text node that parsing `html + added` would have appended `added`'s text to, when `el` holds the parse of
 * `html` untouched and `added` is text only: the last node of the last open element, which must end with the
 * text `html` ends with. A streamed paragraph grows that way between two frames. Null when that is not certain:
 * then the caller parses the whole open block again.
 */
function textEnd(el: HTMLElement, html: string, added: string, ctx: ViewContext): Text | null {
  const end = plain(html.slice(html.lastIndexOf(">") + 1)); // the text after the last tag
  if (!end || plain(added) === null) return null;
  if (html.includes("math-") || (ctx.opts.copyCode && html.includes("<pre"))) return null; // enhanced: not the parse
  let node: ChildNode | null = el.lastChild;
  while (node && node.nodeType === 1 && node.lastChild) node = node.lastChild;
  if (!node || node.nodeType !== 3 || !(node as Text).data.endsWith(end)) return null;
  const parent = node.parentElement;
  return parent && !NO_TEXT.has(parent.tagName) ? (node as Text) : null;
}

/** Typeset math and add copy buttons to code in freshly inserted server HTML. */
function enhance(el: HTMLElement, html: string, ctx: ViewContext): void {
  if (html.includes("math-")) typeset(el);
  if (ctx.opts.copyCode && html.includes("<pre")) codeButtons(el, true);
}

function codeButtons(root: HTMLElement, on: boolean): void {
  for (const pre of root.querySelectorAll("pre")) {
    let wrap = pre.parentElement;
    if (!wrap?.classList.contains("rc-code")) {
      if (!on) continue;
      wrap = h("div", "rc-code");
      pre.replaceWith(wrap);
      wrap.append(pre);
    }
    const btn = wrap.querySelector(":scope > .rc-copy");
    if (!on) btn?.remove();
    else if (!btn) wrap.append(copyButton(pre));
  }
}

function copyButton(pre: HTMLElement): HTMLElement {
  const b = h("button", "rc-copy", { type: "button", "data-testid": "copy-code", "aria-label": "Copy code" }, "Copy");
  let timer = 0;
  b.addEventListener("click", () => {
    void copyText(pre.textContent ?? "").then((ok) => {
      b.textContent = ok ? "Copied" : "Copy failed";
      clearTimeout(timer);
      timer = setTimeout(() => (b.textContent = "Copy"), 1500);
    });
  });
  return b;
}
