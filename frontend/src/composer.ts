// The footer composer that a chat_input node drives: textarea + send/stop button, prompt history, and for a
// multimodal input the attach button, file chips and their uploads (drop and paste too).
import { h, quietForm, sendsText, str } from "./dom";
import { fmtSize } from "./format";
import { icon } from "./icons";
import { acceptOf, cookieValue, fileTypesOf, refusal } from "./files";
import { onFirstLine, onLastLine, PromptHistory } from "./history";
import type { Props, Value } from "./protocol";
import { KEYS, load, save } from "./tab";

const MAX_HEIGHT = 200;
const SIZES_ITSELF = typeof CSS !== "undefined" && CSS.supports("field-sizing", "content");

export interface ComposerHooks {
  submit(nodeId: number, value: Value): void;
  stop(): void;
  resize(): void;
  notice(message: string): void;
  /** The session's resume token, which authorises uploads. */
  token(): string | null;
}

interface Chip {
  el: HTMLElement;
  /** The upload id; null while uploading. */
  id: Value;
  url: string;
  abort: AbortController;
}

export class Composer {
  readonly el = h("footer", "rc-composer");
  private readonly form = quietForm("rc-form");
  private readonly input = h("textarea", "rc-input", {
    "data-testid": "chat-input",
    rows: "1",
    "aria-label": "Message",
  });
  private readonly button = h("button", "rc-send", { type: "button" });
  private readonly attach = h("button", "rc-attach", { type: "button", "aria-label": "Attach files", title: "Attach files" });
  private readonly files = h("input", "rc-file-input", { type: "file", "data-testid": "upload", tabindex: "-1" });
  private readonly chipsEl = h("div", "rc-chips");
  /** Characters typed against `max_chars`, shown only when the input has a limit. */
  private readonly count = h("span", "rc-count", { "data-testid": "char-count", "aria-live": "polite" });
  private maxChars: number | null = null;
  /** The send and stop buttons' labels (`rc.chat(submit_btn=..., stop_btn=...)`). */
  private labels = { send: "Send", stop: "Stop" };
  private chips: Chip[] = [];
  private nodeId: number | null = null;
  private running = false;
  /** The run waits in a line: typing and sending stay possible (the message queues behind it). */
  private waiting = false;
  private multimodal = false;
  private types: string[] | null = null;
  private maxSize: number | null = null;
  private valueSeq: Value | undefined;
  private urlPrompt = new URLSearchParams(location.search).get("prompt");
  private readonly prompts = new PromptHistory({ get: () => load(KEYS.history), set: (v) => save(KEYS.history, v) });

  constructor(private readonly hooks: ComposerHooks) {
    this.el.hidden = this.attach.hidden = this.chipsEl.hidden = this.count.hidden = true;
    this.attach.append(icon("clip"));
    this.form.append(this.chipsEl, this.attach, this.input, this.count, this.button);
    this.el.append(this.form);
    const input = this.input;
    input.addEventListener("input", () => {
      this.prompts.reset();
      this.autosize();
      this.updateCount();
    });
    // The box's height follows how its text (or placeholder) wraps, which changes when a web font arrives
    // (text shows in a fallback until then) and when the window is resized.
    const refit = (): void => {
      if (!this.el.hidden) this.autosize();
    };
    document.fonts?.addEventListener("loadingdone", refit);
    addEventListener("resize", refit);
    input.addEventListener("keydown", (e) => {
      if (e.isComposing || e.keyCode === 229) return;
      if (sendsText(e)) {
        e.preventDefault();
        this.submit();
        return;
      }
      if (e.key === "Enter") return;
      const up = e.key === "ArrowUp";
      const caret = input.selectionStart;
      if ((!up && e.key !== "ArrowDown") || e.shiftKey || e.altKey || e.ctrlKey || e.metaKey) return;
      if (caret !== input.selectionEnd) return;
      const v = input.value;
      const t = up ? (onFirstLine(v, caret) ? this.prompts.up(v) : null) : onLastLine(v, caret) ? this.prompts.down() : null;
      if (t === null) return;
      e.preventDefault();
      this.setText(t);
    });
    input.addEventListener("paste", (e) => {
      const d = e.clipboardData;
      if (this.multimodal && d?.files.length && !d.getData("text/plain")) {
        e.preventDefault();
        this.add([...d.files]);
      }
    });
    this.button.addEventListener("click", () => (this.running ? this.hooks.stop() : this.submit()));
    this.attach.addEventListener("click", () => this.files.click());
    this.files.addEventListener("change", () => {
      this.add([...(this.files.files ?? [])]);
      this.files.value = "";
    });
    this.setRunning(false);
  }

  /** Attach to a chat_input node (or detach with null, which hides the composer); apply its props. */
  bind(nodeId: number | null, p: Props = {}): void {
    const wasHidden = this.el.hidden;
    this.nodeId = nodeId;
    this.el.hidden = nodeId === null;
    const placeholder = nodeId === null ? "" : str(p["placeholder"], "Message");
    // An empty box is as tall as its placeholder, which may wrap on a phone: fit it again when that changes.
    const refit = placeholder !== this.input.placeholder || (wasHidden && !this.el.hidden);
    this.input.placeholder = placeholder;
    const mm = (this.multimodal = nodeId !== null && p["multimodal"] === true);
    this.attach.hidden = !mm;
    if (mm) this.form.append(this.files);
    else {
      this.files.remove();
      this.clearChips(true);
    }
    this.types = fileTypesOf(p["file_types"]);
    const max = p["max_file_size"];
    this.maxSize = typeof max === "number" && max >= 0 ? max : null;
    const accept = acceptOf(this.types);
    if (accept) this.files.accept = accept;
    else this.files.removeAttribute("accept");
    this.files.multiple = p["file_count"] === "multiple";
    const chars = p["max_chars"];
    this.maxChars = nodeId !== null && typeof chars === "number" && chars >= 1 ? Math.floor(chars) : null;
    if (this.maxChars === null) this.input.removeAttribute("maxlength");
    else this.input.maxLength = this.maxChars; // the browser stops typing and pasting there
    this.updateCount();
    const seq = p["value_seq"];
    if (nodeId !== null && seq !== undefined && seq !== null && seq !== this.valueSeq) {
      this.valueSeq = seq;
      this.setText(str(p["value"]));
      this.input.focus();
    }
    if (nodeId !== null && this.urlPrompt !== null) {
      this.setText(this.urlPrompt);
      this.urlPrompt = null;
      const u = new URL(location.href);
      u.searchParams.delete("prompt");
      history.replaceState(history.state, "", u.href);
    }
    if (refit && !this.el.hidden) this.autosize();
    // Shown now: focused after the render that binds it (bind is part of it), whose scroll to the transcript's
    // end lays the page out; a focus here would lay out the whole transcript once more before that (a long
    // conversation opening paid ~15 ms for it).
    if (wasHidden && !this.el.hidden) {
      queueMicrotask(() => {
        if (!this.running && !this.el.hidden && document.activeElement === document.body) {
          this.input.focus({ preventScroll: true });
        }
      });
    }
    this.updateSend();
  }

  setRunning(running: boolean, waiting = false): void {
    if (running === this.running && waiting === this.waiting && this.button.dataset["testid"]) return;
    const ended = this.running && !running;
    this.running = running;
    this.waiting = running && waiting;
    // The box stays editable while a run goes (the next question can be typed; Enter keeps it until the run
    // ends, see submit): disabling it would take its focus and drop what is typed meanwhile, and a widget's
    // rerun of a few milliseconds would do so between two keys.
    // The running cue (styles.css) keys on the form itself: an attribute of the app root there made each run's
    // start and end walk the whole page for the form (400,000 nodes at 10,000 messages, twice a turn).
    this.form.toggleAttribute("data-running", running);
    const label = running ? this.labels.stop : this.labels.send;
    this.button.dataset["testid"] = running ? "stop" : "send";
    this.button.className = running ? "rc-send rc-stop" : "rc-send";
    this.button.setAttribute("aria-label", label);
    this.button.textContent = label;
    this.updateSend();
    const active = document.activeElement;
    if (ended && !this.el.hidden && (active === document.body || active === this.button)) this.input.focus();
  }

  /** The buttons' labels from the chat's options (empty: the defaults). */
  setLabels(send: string, stop: string): void {
    const labels = { send: send || "Send", stop: stop || "Stop" };
    if (labels.send === this.labels.send && labels.stop === this.labels.stop) return;
    this.labels = labels;
    const label = this.running ? labels.stop : labels.send;
    this.button.setAttribute("aria-label", label);
    this.button.textContent = label;
  }

  /** Put text back (e.g. events a new session never received) without losing what is typed. */
  restore(text: string): void {
    const cur = this.input.value;
    this.input.value = cur ? `${text}\n${cur}` : text;
    this.autosize();
    this.updateCount();
  }

  /** Files dropped on the app count as attached (multimodal inputs only). */
  dropTarget(target: HTMLElement): void {
    const files = (e: DragEvent): boolean =>
      this.multimodal && !this.el.hidden && !!e.dataTransfer?.types.includes("Files");
    target.addEventListener("dragover", (e) => {
      if (!files(e)) return;
      e.preventDefault();
      (e.dataTransfer as DataTransfer).dropEffect = "copy";
      target.toggleAttribute("data-dragging", true);
    });
    target.addEventListener("dragleave", (e) => {
      if (!target.contains(e.relatedTarget as Node | null)) target.removeAttribute("data-dragging");
    });
    target.addEventListener("drop", (e) => {
      target.removeAttribute("data-dragging");
      if (!files(e)) return;
      e.preventDefault();
      this.add([...(e.dataTransfer as DataTransfer).files]);
    });
  }

  /** Check files against file_types / max_file_size, show them as chips and start uploading them. */
  private add(files: File[]): void {
    const nodeId = this.nodeId;
    if (!this.multimodal || nodeId === null) return;
    let ok = files.filter((f) => {
      const why = refusal(f, this.types, this.maxSize);
      if (why) this.hooks.notice(why);
      return !why;
    });
    if (!this.files.multiple && ok.length) {
      if (ok.length > 1) this.hooks.notice("Only one file can be attached; the first was kept.");
      ok = ok.slice(0, 1);
      this.clearChips(true);
    }
    for (const f of ok) this.upload(nodeId, f);
    this.updateSend();
    this.input.focus();
  }

  private upload(nodeId: number, f: File): void {
    const image = f.type.startsWith("image/");
    const chip: Chip = {
      el: h("div", "rc-chip", { "data-testid": "file-chip", "data-state": "uploading", title: f.name }),
      id: null,
      url: image ? URL.createObjectURL(f) : "",
      abort: new AbortController(),
    };
    const pic = image ? h("img", "rc-thumb", { src: chip.url, alt: "" }) : h("span", "rc-chip-icon");
    if (!image) pic.append(icon("file"));
    const text = h("span", "rc-chip-text");
    const meta = h("span", "rc-chip-meta", undefined, "Uploading…");
    text.append(h("span", "rc-chip-name", undefined, f.name), meta);
    const rm = h("button", "rc-chip-remove", {
      type: "button",
      "data-testid": "file-chip-remove",
      "aria-label": `Remove ${f.name}`,
      title: "Remove",
    });
    rm.append(icon("x"));
    rm.addEventListener("click", () => {
      this.drop(chip);
      this.input.focus();
    });
    chip.el.append(pic, text, rm);
    this.chips.push(chip);
    this.chipsEl.append(chip.el);
    this.chipsEl.hidden = false;
    this.hooks.resize();
    fetch(`/_rc/upload/${nodeId}`, {
      method: "POST",
      body: f,
      signal: chip.abort.signal,
      credentials: "same-origin",
      headers: {
        "X-Reactchat-Session": this.hooks.token() ?? "",
        "X-Xsrftoken": cookieValue(document.cookie, "_xsrf"),
        "X-File-Name": encodeURIComponent(f.name),
        "Content-Type": f.type || "application/octet-stream",
      },
    })
      .then(async (r) => {
        const j: unknown = await r.json().catch(() => null);
        const m = (typeof j === "object" && j !== null ? j : {}) as Record<string, Value>;
        const id = m["id"];
        if (!r.ok || id === undefined || id === null) {
          throw new Error(typeof m["error"] === "string" ? m["error"] : `the server answered ${r.status}`);
        }
        chip.id = id;
        chip.el.dataset["state"] = "done";
        meta.textContent = fmtSize(f.size);
        this.updateSend();
      })
      .catch((err: unknown) => {
        if (chip.abort.signal.aborted) return;
        this.hooks.notice(`Could not upload “${f.name}”: ${err instanceof Error ? err.message : String(err)}`);
        this.drop(chip);
      });
  }

  private drop(chip: Chip): void {
    chip.abort.abort();
    if (chip.url) URL.revokeObjectURL(chip.url);
    chip.el.remove();
    this.chips = this.chips.filter((c) => c !== chip);
    this.chipsEl.hidden = !this.chips.length;
    this.updateSend();
    this.hooks.resize();
  }

  private clearChips(abort: boolean): void {
    for (const c of this.chips) {
      if (abort) c.abort.abort();
      if (c.url) URL.revokeObjectURL(c.url);
    }
    this.chips = [];
    this.chipsEl.replaceChildren();
    this.chipsEl.hidden = true;
  }

  private get uploading(): boolean {
    return this.chips.some((c) => c.id === null);
  }

  private updateSend(): void {
    this.button.disabled = !this.running && this.uploading;
  }

  private submit(): void {
    const text = this.input.value;
    const files = this.chips.map((c) => c.id);
    if (this.running && !this.waiting) return; // (kept in the box, to send once the run ends)
    if (this.nodeId === null || this.uploading || (!text.trim() && !files.length)) return;
    if (this.maxChars !== null && text.length > this.maxChars) {
      // Only text put back from elsewhere (undo, a refused submit) can be longer: say so, keep it.
      this.hooks.notice(`The message has ${text.length} characters; at most ${this.maxChars} fit.`);
      return;
    }
    if (text.trim()) this.prompts.push(text);
    this.hooks.submit(this.nodeId, this.multimodal ? { text, files } : text);
    this.clearChips(false);
    this.setText("");
  }

  private setText(text: string): void {
    this.input.value = text;
    this.input.setSelectionRange(text.length, text.length);
    this.autosize();
    this.updateCount();
  }

  private updateCount(): void {
    const max = this.maxChars;
    this.count.hidden = max === null;
    if (max === null) return;
    const n = this.input.value.length;
    this.count.textContent = `${n} / ${max}`;
    this.count.toggleAttribute("data-full", n >= max);
  }

  private autosize(): void {
    // Where the browser sizes the box to its text itself (CSS field-sizing, see styles.css), measuring it here
    // would only force a layout of the whole page; the page's ResizeObserver sees the box grow.
    if (SIZES_ITSELF) return;
    const s = this.input.style;
    s.height = "auto";
    s.height = `${Math.min(this.input.scrollHeight, MAX_HEIGHT)}px`;
    s.overflowY = this.input.scrollHeight > MAX_HEIGHT ? "auto" : "hidden";
    this.hooks.resize();
  }
}
