// Icons: 24x24 outlines, drawn by a CSS mask in the current text colour. An icon is a `<span class="rc-icon
// rc-i-NAME">`, not an inline `<svg>`: Chrome keeps each `<svg>` element of a document in a list it walks at
// every animation frame (for SMIL animations), and a transcript draws icons on every message, so at 10,000
// messages that walk cost more than a turn's own rendering (4 ms a turn, measured). A masked span costs a
// frame nothing. The outlines are one stylesheet of data: URLs, added to the document with its first icon.

const PATHS = {
  copy: "M9 9h11v11H9zM5 15H4V4h11v1",
  check: "M5 12.5l4.5 4.5L19 7",
  retry: "M4 12a8 8 0 0 1 14-5.3M20 4v4h-4M20 12a8 8 0 0 1-14 5.3M4 20v-4h4",
  undo: "M9 14L4 9l5-5M4 9h10.5a5.5 5.5 0 0 1 0 11H11",
  edit: "M4 20h4L19 9l-4-4L4 16zM13.5 6.5l4 4",
  up: "M7 10v10H4V10zM7 10l4-7c1.7 0 2.6 1.2 2.3 2.8L12.8 9H19a2 2 0 0 1 2 2.3l-1.3 7A2 2 0 0 1 17.7 20H7",
  down: "M17 14V4h3v10zM17 14l-4 7c-1.7 0-2.6-1.2-2.3-2.8l.5-3.2H5a2 2 0 0 1-2-2.3l1.3-7A2 2 0 0 1 6.3 4H17",
  flag: "M5 21V4M5 4h11l-2 4.5L16 13H5",
  trash: "M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3",
  clip: "M20 11.5l-8.2 8.2a5 5 0 0 1-7.1-7.1l8.5-8.5a3.3 3.3 0 0 1 4.7 4.7l-8.5 8.5a1.7 1.7 0 0 1-2.4-2.4L14.6 7",
  x: "M6 6l12 12M18 6L6 18",
  menu: "M4 6h16M4 12h16M4 18h16",
  file: "M14 3H6v18h12V7zM14 3v4h4",
  document: "M14 3H6a1 1 0 0 0-1 1v16a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1V8zM14 3v5h5M8.5 13h7M8.5 17h5",
  plus: "M12 5v14M5 12h14",
  prev: "M15 5l-7 7 7 7",
  next: "M9 5l7 7-7 7",
  fork: "M6 3v12M18 9a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM6 21a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM18 9a9 9 0 0 1-9 9",
  download: "M12 4v11M7 10l5 5 5-5M5 20h14",
  bottom: "M12 5v14M6 13l6 6 6-6",
};

export type IconName = keyof typeof PATHS;

/** An outline as a data: URL: stroked (the icon), or filled (the tint of a pressed one, styles.css). */
function url(d: string, filled: boolean): string {
  const paint = filled ? 'fill="#000" stroke="none"' : 'fill="none" stroke="#000" stroke-width="1.9"';
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" ${paint} stroke-linecap="round" ` +
    `stroke-linejoin="round"><path d="${d}"/></svg>`;
  return `url("data:image/svg+xml,${encodeURIComponent(svg)}")`;
}

/** The rules giving each `.rc-i-NAME` its outline (`--rc-i`) and its fill (`--rc-i-fill`). */
function iconCss(): string {
  return Object.entries(PATHS)
    .map(([name, d]) => `.rc-i-${name}{--rc-i:${url(d, false)};--rc-i-fill:${url(d, true)}}`)
    .join("\n");
}

const styled = new WeakSet<Document>();

/** An icon: `name`'s outline in the current text colour; styles.css sizes it. */
export function icon(name: IconName): HTMLElement {
  if (!styled.has(document)) {
    styled.add(document);
    const style = document.createElement("style");
    style.id = "rc-icons";
    style.textContent = iconCss(); // our constants, never parsed as HTML
    document.head.append(style);
  }
  const el = document.createElement("span");
  el.className = `rc-icon rc-i-${name}`;
  el.setAttribute("aria-hidden", "true");
  return el;
}
