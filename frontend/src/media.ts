// The media kinds: image, gallery (both open in the lightbox), audio, video and file links.
import { h, str } from "./dom";
import { fmtSize, safeUrl } from "./format";
import { openLightbox, type Pic } from "./lightbox";
import { isMap, type Value } from "./protocol";
import type { View } from "./view";

const FILE_ICON =
  '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round" ' +
  'aria-hidden="true"><path d="M14 3H6a1 1 0 0 0-1 1v16a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1V8z"/>' +
  '<path d="M14 3v5h5M8.5 13h7M8.5 17h5"/></svg>';

export function imageView(): View {
  const el = h("figure", "rc-figure");
  const img = h("img", undefined, { loading: "lazy", decoding: "async" });
  const btn = zoomButton(img);
  const cap = h("figcaption", "rc-cap");
  el.append(btn, cap);
  let pic: Pic = picOf({});
  btn.addEventListener("click", () => openLightbox([pic], 0));
  return {
    kind: "image",
    el,
    body: null,
    update(p) {
      pic = picOf(p);
      setAttr(img, "src", pic.src);
      img.alt = pic.alt;
      btn.setAttribute("aria-label", pic.alt || "Open image");
      for (const k of ["width", "height"]) {
        const n = p[k];
        setAttr(img, k, typeof n === "number" && n > 0 ? String(Math.round(n)) : "");
      }
      cap.textContent = pic.caption;
      cap.hidden = !pic.caption;
    },
  };
}

export function galleryView(): View {
  const el = h("div", "rc-gallery");
  return {
    kind: "gallery",
    el,
    body: null,
    update(p) {
      const items = Array.isArray(p["items"]) ? p["items"] : [];
      const pics = items.map((x) => picOf(isMap(x) ? x : {})).filter((x) => x.src);
      const cols = p["columns"];
      el.style.gridTemplateColumns =
        typeof cols === "number" && cols >= 1 ? `repeat(${Math.min(Math.floor(cols), 12)},minmax(0,1fr))` : "";
      el.replaceChildren(
        ...pics.map((pic, i) => {
          const fig = h("figure", "rc-figure");
          const btn = zoomButton(h("img", undefined, { src: pic.src, alt: pic.alt, loading: "lazy" }));
          btn.setAttribute("aria-label", pic.alt || "Open image");
          btn.addEventListener("click", () => openLightbox(pics, i));
          fig.append(btn);
          if (pic.caption) fig.append(h("figcaption", "rc-cap", undefined, pic.caption));
          return fig;
        }),
      );
    },
  };
}

export function fileView(): View {
  const el = h("a", "rc-file", { target: "_blank", rel: "noopener" });
  el.innerHTML = FILE_ICON; // a constant
  const name = h("span", "rc-file-name");
  const size = h("span", "rc-file-size");
  const text = h("span", "rc-file-text");
  text.append(name, size);
  el.append(text);
  return {
    kind: "file",
    el,
    body: null,
    update(p) {
      setAttr(el, "href", safeUrl(p["src"]));
      const n = str(p["name"], "file");
      el.download = n;
      name.textContent = n;
      const s = p["size"];
      size.textContent = typeof s === "number" ? fmtSize(s) : "";
    },
  };
}

export function mediaView(kind: "audio" | "video"): View {
  const el = h("div", "rc-media");
  const name = h("div", "rc-cap");
  const m = h(kind, `rc-${kind}`, { controls: "", preload: "metadata" });
  if (kind === "video") m.setAttribute("playsinline", "");
  el.append(name, m);
  return {
    kind,
    el,
    body: null,
    update(p) {
      setAttr(m, "src", safeUrl(p["src"]));
      m.autoplay = p["autoplay"] === true;
      const n = str(p["name"]);
      name.textContent = n;
      name.hidden = !n;
      setAttr(m, "aria-label", n);
    },
  };
}

function setAttr(el: Element, name: string, value: string): void {
  if (el.getAttribute(name) === value) return;
  if (value) el.setAttribute(name, value);
  else el.removeAttribute(name);
}

const picOf = (m: { [k: string]: Value }): Pic => ({
  src: safeUrl(m["src"]),
  alt: str(m["alt"]),
  caption: str(m["caption"]),
});

function zoomButton(img: HTMLImageElement): HTMLButtonElement {
  const b = h("button", "rc-zoom", { type: "button" });
  b.append(img);
  return b;
}
