// Inline SVG icons (constants, 24x24, stroked with currentColor).
const svg = (d: string): string =>
  '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.9" stroke-linecap="round" ' +
  `stroke-linejoin="round" aria-hidden="true"><path d="${d}"/></svg>`;

export const ICONS = {
  copy: svg("M9 9h11v11H9zM5 15H4V4h11v1"),
  check: svg("M5 12.5l4.5 4.5L19 7"),
  retry: svg("M4 12a8 8 0 0 1 14-5.3M20 4v4h-4M20 12a8 8 0 0 1-14 5.3M4 20v-4h4"),
  undo: svg("M9 14L4 9l5-5M4 9h10.5a5.5 5.5 0 0 1 0 11H11"),
  edit: svg("M4 20h4L19 9l-4-4L4 16zM13.5 6.5l4 4"),
  up: svg("M7 10v10H4V10zM7 10l4-7c1.7 0 2.6 1.2 2.3 2.8L12.8 9H19a2 2 0 0 1 2 2.3l-1.3 7A2 2 0 0 1 17.7 20H7"),
  down: svg("M17 14V4h3v10zM17 14l-4 7c-1.7 0-2.6-1.2-2.3-2.8l.5-3.2H5a2 2 0 0 1-2-2.3l1.3-7A2 2 0 0 1 6.3 4H17"),
  flag: svg("M5 21V4M5 4h11l-2 4.5L16 13H5"),
  trash: svg("M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3"),
  clip: svg("M20 11.5l-8.2 8.2a5 5 0 0 1-7.1-7.1l8.5-8.5a3.3 3.3 0 0 1 4.7 4.7l-8.5 8.5a1.7 1.7 0 0 1-2.4-2.4L14.6 7"),
  x: svg("M6 6l12 12M18 6L6 18"),
  menu: svg("M4 6h16M4 12h16M4 18h16"),
  file: svg("M14 3H6v18h12V7zM14 3v4h4"),
  plus: svg("M12 5v14M5 12h14"),
  prev: svg("M15 5l-7 7 7 7"),
  next: svg("M9 5l7 7-7 7"),
  fork: svg("M6 3v12M18 9a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM6 21a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM18 9a9 9 0 0 1-9 9"),
  download: svg("M12 4v11M7 10l5 5 5-5M5 20h14"),
};
