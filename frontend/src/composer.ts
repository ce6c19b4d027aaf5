// The footer composer that a chat_input node drives: textarea + send/stop button.
import { h } from "./dom";

const MAX_HEIGHT = 200;

export class Composer {
  readonly el = h("footer", "rc-composer");
  private readonly form = h("div", "rc-form");
  private readonly input = h("textarea", "rc-input", {
    "data-testid": "chat-input",
    rows: "1",
    "aria-label": "Message",
  });
  private readonly button = h("button", "rc-send", { type: "button" });
  private nodeId: number | null = null;
  private running = false;

  constructor(
    private readonly onSubmit: (nodeId: number, text: string) => void,
    private readonly onStop: () => void,
    private readonly onResize: () => void,
  ) {
    this.el.hidden = true;
    this.form.append(this.input, this.button);
    this.el.append(this.form);
    this.input.addEventListener("input", () => this.autosize());
    this.input.addEventListener("keydown", (e) => {
      // keyCode 229: some browsers report IME keystrokes without isComposing.
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        this.submit();
      }
    });
    this.button.addEventListener("click", () => (this.running ? this.onStop() : this.submit()));
    this.setRunning(false);
  }

  /** Attach to a chat_input node (or detach with null, which hides the composer). */
  bind(nodeId: number | null, placeholder: string): void {
    const wasHidden = this.el.hidden;
    this.nodeId = nodeId;
    this.el.hidden = nodeId === null;
    this.input.placeholder = placeholder;
    if (wasHidden && !this.el.hidden) {
      this.onResize();
      if (!this.running && document.activeElement === document.body) this.input.focus();
    }
  }

  setRunning(running: boolean): void {
    if (running === this.running && this.button.dataset["testid"]) return;
    const ended = this.running && !running;
    this.running = running;
    this.input.disabled = running;
    const label = running ? "Stop" : "Send";
    this.button.dataset["testid"] = running ? "stop" : "send";
    this.button.className = running ? "rc-send rc-stop" : "rc-send";
    this.button.setAttribute("aria-label", label);
    this.button.textContent = label;
    if (ended && !this.el.hidden) this.input.focus();
  }

  /** Put text back (e.g. events a new session never received) without losing what is typed. */
  restore(text: string): void {
    const cur = this.input.value;
    this.input.value = cur ? `${text}\n${cur}` : text;
    this.autosize();
  }

  private submit(): void {
    const text = this.input.value;
    if (this.running || this.nodeId === null || !text.trim()) return;
    this.onSubmit(this.nodeId, text);
    this.input.value = "";
    this.autosize();
  }

  private autosize(): void {
    const s = this.input.style;
    s.height = "auto";
    s.height = `${Math.min(this.input.scrollHeight, MAX_HEIGHT)}px`;
    s.overflowY = this.input.scrollHeight > MAX_HEIGHT ? "auto" : "hidden";
    this.onResize();
  }
}
