// A DOM for the tests (linkedom): a fresh document, and the browser globals the views touch, per call.
import { parseHTML } from "linkedom";

/** What the clipboard was last asked to hold (navigator.clipboard is a browser API Node lacks). */
export const clipboard = { text: "" };

export function freshDom(): Document {
  const w = parseHTML("<!doctype html><html><head></head><body></body></html>");
  const g = globalThis as unknown as Record<string, unknown>;
  for (const k of ["window", "document", "HTMLElement", "HTMLInputElement", "Node"] as const) g[k] = w[k];
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
