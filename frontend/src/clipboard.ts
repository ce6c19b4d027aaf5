// Copying text out of the page: the clipboard (with a fallback), an element's visible text, the copy-all text.
import { focused, h } from "./dom";
import { icon } from "./icons";

/** An element's text as shown (collapsed parts left out), without the code blocks' copy buttons. */
export function visibleText(el: HTMLElement): string {
  el.classList.add("rc-copying");
  const t = el.innerText;
  el.classList.remove("rc-copying");
  return t.trim();
}

const ROLE_NAMES: Record<string, string> = { user: "User", assistant: "Assistant", system: "System" };

/** The copy-all text: "Role: text" blocks separated by blank lines, then the watermark on its own paragraph. */
export function transcriptText(messages: readonly { role: string; text: string }[], watermark: string): string {
  const blocks = messages
    .map((m) => ({ ...m, text: m.text.trim() }))
    .filter((m) => m.text)
    .map((m) => `${ROLE_NAMES[m.role] ?? m.role}: ${m.text}`);
  if (watermark) blocks.push(watermark);
  return blocks.join("\n\n");
}

const timers = new WeakMap<HTMLElement, ReturnType<typeof setTimeout>>();

/** Copy `text`, and let icon button `b` say "Copied" (or "Copy failed") for a moment. */
export function copyShowing(b: HTMLElement, text: string): void {
  void copyText(text).then((ok) => {
    b.replaceChildren(icon(ok ? "check" : "x"), h("span", undefined, undefined, ok ? "Copied" : "Copy failed"));
    clearTimeout(timers.get(b));
    timers.set(b, setTimeout(() => b.replaceChildren(icon("copy")), 1500));
  });
}

/** The clipboard API, or (without it, or when it refuses) a selected textarea and execCommand. */
export function copyText(text: string): Promise<boolean> {
  const fallback = (): boolean => {
    const was = focused() as HTMLElement | null;
    const t = h("textarea", "rc-offscreen");
    t.value = text;
    document.body.append(t);
    t.select();
    let ok = false;
    try {
      ok = document.execCommand("copy");
    } catch {
      // ok stays false
    }
    t.remove();
    was?.focus();
    return ok;
  };
  const c = navigator.clipboard as Clipboard | undefined;
  return c ? c.writeText(text).then(() => true, fallback) : Promise.resolve(fallback());
}
