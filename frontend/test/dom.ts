// A DOM for the tests (linkedom): a fresh document, and the browser globals the views touch, per call.
import { parseHTML } from "linkedom";

/** What the clipboard was last asked to hold (navigator.clipboard is a browser API Node lacks). */
export const clipboard = { text: "" };

export function freshDom(): Document {
  const w = parseHTML("<!doctype html><html><head></head><body></body></html>");
  const g = globalThis as unknown as Record<string, unknown>;
  for (const k of ["window", "document", "HTMLElement", "HTMLInputElement", "Node"] as const) g[k] = w[k];
  // Constructed stylesheets (shadow.ts adopts one in each sealed chunk's shadow root), which linkedom lacks:
  // the rules are only kept as text.
  (w as unknown as Record<string, unknown>)["CSSStyleSheet"] ??= class {
    text = "";
    replaceSync(css: string): void {
      this.text = css;
    }
  };
  // Computed style, which linkedom lacks: the inline style stands for it (chunks.ts forces a style update).
  (w as unknown as Record<string, unknown>)["getComputedStyle"] ??= (el: HTMLElement) => el.style;
  Object.defineProperty(globalThis, "navigator", {
    configurable: true,
    value: {
      clipboard: {
        writeText: (t: string) => {
          clipboard.text = t;
          return Promise.resolve();
        },
      },
    },
  });
  return w.document;
}

/**
 * The elements under `root` matching `sel`, in order, looking into open shadow roots (the transcript's: see
 * src/shadow.ts), as a browser's find-in-page and Playwright's locators do.
 */
export function deepAll(root: ParentNode, sel: string): HTMLElement[] {
  const out: HTMLElement[] = [];
  for (const el of root.querySelectorAll<HTMLElement>("*")) {
    if (el.matches(sel)) out.push(el);
    if (el.shadowRoot) out.push(...deepAll(el.shadowRoot, sel));
  }
  return out;
}
