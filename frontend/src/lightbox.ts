// A full-size image overlay: click anywhere or Escape closes it; arrow keys step through a gallery.
import { focused, h } from "./dom";

export interface Pic {
  src: string;
  alt: string;
  caption: string;
}

export function openLightbox(pics: readonly Pic[], index: number): void {
  if (!pics.length) return;
  const opener = focused() as HTMLElement | null; // the zoom button, in the transcript's shadow root
  const el = h("div", "rc-lightbox", {
    role: "dialog",
    "aria-modal": "true",
    "aria-label": "Image",
    tabindex: "-1",
    "data-testid": "lightbox",
  });
  const img = h("img");
  const cap = h("div", "rc-lightbox-cap");
  let i = index;
  const show = (): void => {
    const p = pics[(i = (i + pics.length) % pics.length)] as Pic;
    img.src = p.src;
    img.alt = p.alt;
    cap.textContent = p.caption;
    cap.hidden = !p.caption;
  };
  const close = (): void => {
    el.remove();
    removeEventListener("keydown", onKey, true);
    opener?.focus();
  };
  const onKey = (e: KeyboardEvent): void => {
    const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
    if (e.key === "Escape") close();
    else if (step) {
      i += el.closest('[dir="rtl"]') ? -step : step;
      show();
    } else return;
    e.preventDefault();
    e.stopPropagation();
  };
  show();
  el.append(img, cap);
  el.addEventListener("click", close);
  addEventListener("keydown", onKey, true);
  (document.querySelector(".rc-app") ?? document.body).append(el);
  el.focus();
}
