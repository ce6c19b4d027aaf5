// The prompts sent in this tab, recalled with ↑/↓ in the composer (pure: storage is handed in).

export const onFirstLine = (text: string, caret: number): boolean => !text.slice(0, caret).includes("\n");
export const onLastLine = (text: string, caret: number): boolean => !text.slice(caret).includes("\n");

export interface KeyStore {
  get(): string | null;
  set(value: string): void;
}

const MAX_HISTORY = 100;

/**
 * The prompts sent in this tab, recalled with ↑/↓ like a shell: ↑ steps back, ↓ forward, and stepping past
 * the newest returns the draft that was being typed.
 */
export class PromptHistory {
  /** Position in the list; `items.length` is the draft. */
  private pos = -1;
  private draft = "";

  constructor(private readonly store: KeyStore) {}

  private items(): string[] {
    try {
      const v: unknown = JSON.parse(this.store.get() ?? "[]");
      return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
    } catch {
      return [];
    }
  }

  push(text: string): void {
    const items = this.items().filter((x) => x !== text);
    items.push(text);
    this.store.set(JSON.stringify(items.slice(-MAX_HISTORY)));
    this.pos = -1;
  }

  /** The older prompt to show in place of `current`, or null at the oldest (or with no history). */
  up(current: string): string | null {
    const items = this.items();
    if (this.pos < 0 || this.pos > items.length) this.pos = items.length;
    if (this.pos === 0) return null;
    if (this.pos === items.length) this.draft = current;
    return items[--this.pos] ?? null;
  }

  /** The newer prompt (or the draft after the newest), or null when already at the draft. */
  down(): string | null {
    const items = this.items();
    if (this.pos < 0 || this.pos >= items.length) return null;
    this.pos++;
    return this.pos === items.length ? this.draft : (items[this.pos] ?? null);
  }

  /** The user typed: the next ↑ starts from the newest prompt again. */
  reset(): void {
    this.pos = -1;
  }
}
