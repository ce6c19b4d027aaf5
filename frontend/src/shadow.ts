// The transcript lives in a shadow root. Chrome's form handling (autofill) walks every element of the
// document's light tree after a text field changes, so once per message the user types, and the browser asks
// the page about its forms again afterwards: at 10,000 messages (400,000 elements) that took more main thread
// than the rest of the turn. A shadow root's content is outside that walk, and the page's light tree stays a few
// hundred elements however long the transcript grows. Find-in-page, the accessibility tree and Playwright's
// locators all look into open shadow roots; `document.querySelectorAll` does not (the transcript element's
// `shadowRoot` does).
//
// A shadow root takes no style from the page but what is inherited (custom properties among it). It adopts one
// sheet copying the page's stylesheets, kept in step as those change (the app's theme, the code and math
// styles fetched on first use, the icons). A rule that names an element outside the transcript does not reach
// inside it: the layout and direction that styles.css keys messages on are set on the transcript's body
// itself (views.ts), and the README tells an app's own CSS to start its rules at the message.

/** One document's copy of its stylesheets. */
class Mirror {
  readonly sheet: CSSStyleSheet;
  private due = false;

  constructor(private readonly doc: Document) {
    const view = doc.defaultView as Window & typeof globalThis;
    this.sheet = new view.CSSStyleSheet();
    this.sheet.replaceSync(pageCss(doc));
    const sheetNode = (n: Node | null): boolean => n?.nodeName === "STYLE" || n?.nodeName === "LINK";
    new view.MutationObserver((records) => {
      const touched = records.some(
        (r) => sheetNode(r.target) || sheetNode(r.target.parentNode) || [...r.addedNodes, ...r.removedNodes].some(sheetNode),
      );
      if (touched) this.refresh();
    }).observe(doc.head, { childList: true, subtree: true, characterData: true });
    // A stylesheet link's rules are there once it has loaded (load does not bubble: caught on the way down).
    doc.addEventListener("load", (e) => sheetNode(e.target as Node) && this.refresh(), true);
  }

  /** Copy the page's stylesheets again, once for all the changes of this task. */
  private refresh(): void {
    if (this.due) return;
    this.due = true;
    queueMicrotask(() => {
      this.due = false;
      this.sheet.replaceSync(pageCss(this.doc));
    });
  }
}

const mirrors = new WeakMap<Document, Mirror>();

/** Whether this browser has what `shadowBody` needs: shadow roots adopting constructed stylesheets. */
function supported(doc: Document): boolean {
  const view = doc.defaultView as (Window & typeof globalThis) | null;
  return !!view && "attachShadow" in view.Element.prototype && "replaceSync" in (view.CSSStyleSheet?.prototype ?? {});
}

/**
 * Give `host` a shadow root styled as the page, and return the element in it that content goes into (class
 * `rc-body`, box-less: its children lay out as the host's). Where the browser cannot, `host` itself: the content
 * stays in the light tree.
 */
export function shadowBody(host: HTMLElement): HTMLElement {
  const doc = host.ownerDocument;
  if (!supported(doc)) return host;
  let mirror = mirrors.get(doc);
  if (!mirror) {
    mirror = new Mirror(doc);
    mirrors.set(doc, mirror);
  }
  const root = host.attachShadow({ mode: "open" });
  root.adoptedStyleSheets = [mirror.sheet];
  const body = doc.createElement("div");
  body.className = "rc-body";
  root.append(body);
  return body;
}

/** The text of the rules of `doc`'s stylesheets, in order (imported ones in place, each under its media). */
function pageCss(doc: Document): string {
  const out: string[] = [];
  const add = (sheet: CSSStyleSheet): void => {
    if (sheet.disabled) return;
    let rules: CSSRuleList;
    try {
      rules = sheet.cssRules;
    } catch {
      return; // another origin's sheet: its rules cannot be read (the page loads none)
    }
    const media = sheet.media.mediaText;
    if (media) out.push(`@media ${media} {`);
    for (const rule of rules) {
      if ("styleSheet" in rule) {
        const imported = (rule as CSSImportRule).styleSheet;
        if (imported) add(imported);
      } else out.push(rule.cssText);
    }
    if (media) out.push("}");
  };
  for (const sheet of doc.styleSheets ?? []) add(sheet);
  return out.join("\n");
}
