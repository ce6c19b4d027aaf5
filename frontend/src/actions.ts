// The chat actions in one table: each one's `chat.actions` setting, its button (test id, label, icon), where
// it shows and what a click does. A new action is one entry here (the server has its own table of effects).
import { copyShowing } from "./clipboard";
import { actionButton, h } from "./dom";
import type { Feedback } from "./feedback";
import type { IconName } from "./icons";
import { type Emit, isMap, type Value } from "./protocol";

/** Where a row of actions is drawn: under a message, or in the chat bar above the transcript. */
export type Scope = "message" | "chat";

/** What a row's rules read and its handlers act on. */
export interface ActionEnv {
  /** The node the events name: the message, or the chat node (null while the app has none). */
  readonly id: number | null;
  /** The message's role ("" in the chat bar). */
  readonly role: string;
  /** Whether the message is the transcript's last one, and its last assistant one. */
  readonly last: boolean;
  readonly lastAssistant: boolean;
  /** The chat's `chat.actions`, read through this table. */
  readonly settings: Actions;
  /** A run is going: actions that change the transcript start disabled. */
  readonly busy: boolean;
  readonly emit: Emit;
  /** The text a copy puts on the clipboard: the message's, or the whole transcript's. */
  text(): string;
  /** Open the message's editor. */
  edit?(): void;
  /** The message's feedback options and the buttons' state. */
  readonly feedback?: { options: readonly string[]; onUser: boolean; state: Feedback };
  /** Which of its versions the message is, and how many there are (a stored conversation's branches). */
  readonly branch?: readonly [number, number] | null;
  /** The message is a stored one (it has an id in the store). */
  readonly stored?: boolean;
}

interface Action<S> {
  scope: Scope;
  /** The event a click sends, which is also the action's key in `chat.actions`. */
  event: string;
  testid: string;
  label: string;
  /** Its button's icon (none: the action draws itself, `draw`). */
  icon?: IconName;
  /** It changes the transcript, so it waits for the app to be idle. */
  idle: boolean;
  /** It adds to the transcript: the view follows the bottom again. */
  follows: boolean;
  /** Its `chat.actions` value, or the default; no setting: `chat.actions` does not turn it on or off. */
  setting?(v: Value | undefined): S;
  /** Whether it shows in this row. */
  shows(s: S, env: ActionEnv): boolean;
  /** A click on its button `b` (default: send the event with no value). */
  run?(env: ActionEnv, b: HTMLButtonElement): void;
  /** Draws buttons of its own into `row` instead of one. */
  draw?(row: HTMLElement, env: ActionEnv): void;
}

const action = <S>(a: Action<S>): Action<S> => a;

const flag = (dflt: boolean) => (v: Value | undefined): boolean => (typeof v === "boolean" ? v : dflt);

/** Send `event` on the row's node, when there is one. */
function send(env: ActionEnv, event: string, value: Value = null): void {
  if (env.id !== null) env.emit(env.id, event, value);
}

/** The table, in the order the buttons are drawn. */
const ACTIONS = {
  branch: action<undefined>({
    // Shown on a message with other versions (retried, edited): ‹ 2/3 › pages between them.
    scope: "message", event: "branch", testid: "branch", label: "Versions", idle: true, follows: false,
    shows: (_: undefined, env: ActionEnv) => !!env.branch && env.branch[1] > 1,
    draw(row: HTMLElement, env: ActionEnv) {
      const [at, count] = env.branch ?? [1, 1];
      const pager = h("span", "rc-branch", { "data-testid": "branch" });
      // An end of the pager is not a run-gated button: it stays disabled when the run ends.
      const prev = actionButton("branch-prev", "Previous version", "prev", at > 1, env.busy);
      const next = actionButton("branch-next", "Next version", "next", at < count, env.busy);
      if (at <= 1) prev.disabled = true;
      if (at >= count) next.disabled = true;
      prev.addEventListener("click", () => send(env, "branch", -1));
      next.addEventListener("click", () => send(env, "branch", 1));
      pager.append(prev, h("span", "rc-branch-at", { "data-testid": "branch-position" }, `${at}/${count}`), next);
      row.append(pager);
    },
  }),
  copy: action({
    scope: "message", event: "copy", testid: "copy", label: "Copy", icon: "copy", idle: false, follows: false,
    setting: flag(true),
    shows: (on: boolean) => on,
    run(env: ActionEnv, b: HTMLButtonElement) {
      send(env, "copy");
      copyShowing(b, env.text());
    },
  }),
  edit: action({
    scope: "message", event: "edit", testid: "edit", label: "Edit", icon: "edit", idle: true, follows: true,
    setting: (v: Value | undefined): "" | "user" | "all" => (v === "user" || v === "all" ? v : ""),
    shows: (who: "" | "user" | "all", env: ActionEnv) => who === "all" || (who === "user" && env.role === "user"),
    run: (env: ActionEnv) => env.edit?.(),
  }),
  retry: action({
    scope: "message", event: "retry", testid: "retry", label: "Retry", icon: "retry", idle: true, follows: true,
    setting: flag(false),
    shows: (on: boolean, env: ActionEnv) => on && env.lastAssistant,
  }),
  undo: action({
    scope: "message", event: "undo", testid: "undo", label: "Undo", icon: "undo", idle: true, follows: false,
    setting: flag(false),
    shows: (on: boolean, env: ActionEnv) => on && env.last,
  }),
  fork: action({
    // "Branch off": a new conversation holding the path up to this stored message.
    scope: "message", event: "fork", testid: "branch-off", label: "Branch off", icon: "fork", idle: true,
    follows: false,
    setting: flag(true),
    shows: (on: boolean, env: ActionEnv) => on && !!env.stored,
  }),
  feedback: action<undefined>({
    // Turned on by `feedback_options`, not `chat.actions`; feedback.ts draws the thumbs and the menu.
    scope: "message", event: "feedback", testid: "feedback", label: "Feedback", icon: "flag", idle: false,
    follows: false,
    shows: (_: undefined, env: ActionEnv) =>
      !!env.feedback?.options.length && (env.role === "assistant" || (env.role === "user" && env.feedback.onUser)),
    draw(row: HTMLElement, env: ActionEnv) {
      const f = env.feedback;
      f?.state.draw(row, f.options, (v) => send(env, "feedback", v));
    },
  }),
  copyAll: action({
    scope: "chat", event: "copy_all", testid: "copy-all", label: "Copy conversation", icon: "copy", idle: false,
    follows: false,
    setting: flag(true),
    shows: (on: boolean) => on,
    run(env: ActionEnv, b: HTMLButtonElement) {
      const text = env.text();
      send(env, "copy_all");
      copyShowing(b, text);
    },
  }),
  clear: action({
    scope: "chat", event: "clear", testid: "clear", label: "Clear conversation", icon: "trash", idle: true,
    follows: false,
    setting: flag(false),
    shows: (on: boolean, env: ActionEnv) => on && env.id !== null,
    // A whole conversation goes at one click: the first arms the button (it says so), a second within a few
    // seconds clears.
    run(env: ActionEnv, b: HTMLButtonElement) {
      if (b.dataset.confirm !== undefined) {
        send(env, "clear");
        return;
      }
      const label = b.lastChild;
      b.dataset.confirm = "";
      b.setAttribute("aria-label", "Click again to clear the conversation");
      b.title = "Click again to clear the conversation";
      b.append("Clear?");
      setTimeout(() => {
        delete b.dataset.confirm;
        b.setAttribute("aria-label", "Clear conversation");
        b.title = "Clear conversation";
        while (b.lastChild && b.lastChild !== label) b.lastChild.remove();
      }, CONFIRM_MS);
    },
  }),
};

/** How long Clear stays armed after its first click. */
export const CONFIRM_MS = 4000;

type Table = typeof ACTIONS;

/** `chat.actions` with its defaults, one key per action that has a setting. */
export type Actions = {
  [K in keyof Table as Table[K] extends Action<undefined> ? never : K]: Table[K] extends Action<infer S> ? S : never;
};

const entries = Object.entries(ACTIONS) as [string, Action<unknown>][];

export function actionsOf(v: Value | undefined): Actions {
  const m = isMap(v) ? v : {};
  const out: Record<string, unknown> = {};
  for (const [key, a] of entries) if (a.setting) out[key] = a.setting(m[a.event]);
  return out as Actions;
}

/** The events after which the transcript view follows the bottom again. */
export const FOLLOWS: ReadonlySet<string> = new Set(entries.filter(([, a]) => a.follows).map(([, a]) => a.event));

/** Draw the actions of `scope` that show in `env` into `row`, in table order. */
export function drawActions(row: HTMLElement, scope: Scope, env: ActionEnv): void {
  const settings = env.settings as Record<string, unknown>;
  for (const [key, a] of entries) {
    if (a.scope !== scope || !a.shows(settings[key], env)) continue;
    if (a.draw || !a.icon) {
      a.draw?.(row, env);
      continue;
    }
    const b = actionButton(a.testid, a.label, a.icon, a.idle, env.busy);
    b.addEventListener("click", () => (a.run ? a.run(env, b) : send(env, a.event)));
    row.append(b);
  }
}
