// Typesets the math spans of server-rendered markdown with KaTeX, loaded from the static folder the first
// time a page shows math (and never otherwise).
import { h } from "./dom";

declare const __KATEX_V__: string;

interface Katex {
  render(tex: string, el: HTMLElement, opts: object): void;
}

const SEL = ".math-inline:not([data-tex]),.math-display:not([data-tex])";
let katex: Promise<Katex> | null = null;

function load(): Promise<Katex> {
  const base = "/_rc/static/katex";
  const v = `?v=${__KATEX_V__}`;
  const css = new Promise((done) => {
    const link = h("link", undefined, { rel: "stylesheet", href: `${base}.css${v}` });
    link.onload = link.onerror = done;
    document.head.append(link);
  });
  const url = `${base}.js${v}`; // a variable, so the bundler leaves this import to the browser
  const js = import(url) as Promise<{ default: Katex }>;
  return Promise.all([js, css]).then(([m]) => m.default);
}

/** Typeset every math element under `root` not yet done; elements keep their TeX in `data-tex`. */
export function typeset(root: HTMLElement): void {
  if (!root.querySelector(SEL)) return;
  katex ??= load();
  katex.then(
    (k) => {
      for (const el of root.querySelectorAll<HTMLElement>(SEL)) {
        const tex = el.textContent ?? "";
        el.dataset["tex"] = tex;
        k.render(tex, el, {
          displayMode: el.classList.contains("math-display"),
          throwOnError: false,
          strict: "ignore",
        });
      }
    },
    (err: unknown) => {
      katex = null; // try again with the next formula
      console.error("reactchat: could not load KaTeX", err);
    },
  );
}
