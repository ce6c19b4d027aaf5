// The chat node's display options (ChatOpts) with their defaults, as the renderer hands them to the views.
import { type Actions, actionsOf } from "./actions";
import { type Example, examplesOf } from "./choices";
import { cssLen, safeUrl, strs } from "./format";
import { isMap, type Props, type Value } from "./protocol";
import { type ThemeOpts, themeOf } from "./theme";

/** The app's `chat` node props with their defaults (docs/protocol.md). */
export interface ChatOpts {
  layout: "bubble" | "panel";
  height: string;
  minHeight: string;
  maxHeight: string;
  resizable: boolean;
  rtl: boolean;
  placeholder: string;
  description: string;
  avatars: { [role: string]: Value };
  timestamps: boolean;
  usage: boolean;
  group: boolean;
  autoscroll: boolean;
  copyCode: boolean;
  actions: Actions;
  feedback: string[];
  feedbackOnUser: boolean;
  examples: Example[];
  watermark: string;
  /** A download button on media (`allow_file_downloads`). */
  downloads: boolean;
  /** The composer's button labels (empty: the defaults). */
  submitLabel: string;
  stopLabel: string;
  theme: ThemeOpts;
}

const flag = (v: Value | undefined, dflt: boolean): boolean => (typeof v === "boolean" ? v : dflt);
const text = (v: Value | undefined): string => (typeof v === "string" ? v : "");

export function chatOpts(p: Props = {}): ChatOpts {
  return {
    layout: p["layout"] === "panel" ? "panel" : "bubble",
    height: cssLen(p["height"]),
    minHeight: cssLen(p["min_height"]),
    maxHeight: cssLen(p["max_height"]),
    resizable: flag(p["resizable"], false),
    rtl: flag(p["rtl"], false),
    placeholder: text(p["placeholder"]),
    description: text(p["description"]),
    avatars: isMap(p["avatars"]) ? p["avatars"] : {},
    timestamps: flag(p["show_timestamps"], false),
    usage: flag(p["show_usage"], false),
    group: flag(p["group_consecutive_messages"], true),
    autoscroll: flag(p["autoscroll"], true),
    copyCode: flag(p["show_copy_code"], true),
    actions: actionsOf(p["actions"]),
    feedback: feedbackOf(p["feedback_options"]),
    feedbackOnUser: flag(p["feedback_on_user"], false),
    examples: examplesOf(p["examples"]),
    watermark: text(p["watermark"]),
    downloads: flag(p["allow_file_downloads"], true),
    submitLabel: text(p["submit_btn"]),
    stopLabel: text(p["stop_btn"]),
    theme: themeOf(p["theme"]),
  };
}

/** `feedback_options`: strings; none unless the chat turns feedback on (`rc.chat(feedback=...)`). */
export const feedbackOf = (v: Value | undefined): string[] => strs(v) ?? [];

/** The avatar for a role: an image URL, an emoji, or nothing. */
export function avatarOf(opts: ChatOpts, role: string): { src: string } | { emoji: string } | null {
  const a = opts.avatars[role];
  if (!isMap(a)) return null;
  const src = safeUrl(a["src"]);
  if (src) return { src };
  const emoji = text(a["emoji"]);
  return emoji ? { emoji } : null;
}
