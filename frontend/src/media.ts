// The media kinds: image, gallery (both open in the lightbox), audio, video and file links.
import { h, str } from "./dom";
import { fmtSize, safeUrl } from "./format";
import { icon } from "./icons";
import { openLightbox, type Pic } from "./lightbox";
import { isMap, type Value } from "./protocol";
import type { View, ViewContext } from "./view";

/** A download button for one media source; shown unless the chat turns downloads off. */
class Download {
  readonly el = h("a", "rc-download", { "data-testid": "download", "aria-label": "Download", title: "Download" });
  private src = "";

  constructor(private readonly ctx: ViewContext) {
    this.el.append(icon("download"));
    this.el.hidden = true;
  }

  set(src: string, name: string): void {
    this.src = src;
    setAttr(this.el, "href", src);
    this.el.setAttribute("download", name);
    this.refresh();
  }

  refresh(): void {
    this.el.hidden = !this.src || !this.ctx.opts.downloads;
  }
}

export function imageView(_id: number, ctx: ViewContext): View {
  const el = h("figure", "rc-figure");
  const img = h("img", undefined, { loading: "lazy", decoding: "async" });
  const btn = zoomButton(img);
  const cap = h("figcaption", "rc-cap");
  const down = new Download(ctx);
  el.append(btn, down.el, cap);
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
      down.set(pic.src, ""); // the server names the file (Content-Disposition)
    },
    refresh: () => down.refresh(),
  };
}

export function galleryView(_id: number, ctx: ViewContext): View {
  const el = h("div", "rc-gallery");
  let downs: Download[] = [];
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
      downs = [];
      el.replaceChildren(
        ...pics.map((pic, i) => {
          const fig = h("figure", "rc-figure");
          const btn = zoomButton(h("img", undefined, { src: pic.src, alt: pic.alt, loading: "lazy" }));
          btn.setAttribute("aria-label", pic.alt || "Open image");
          btn.addEventListener("click", () => openLightbox(pics, i));
          const down = new Download(ctx);
          down.set(pic.src, ""); // the server names the file (Content-Disposition)
          downs.push(down);
          fig.append(btn, down.el);
          if (pic.caption) fig.append(h("figcaption", "rc-cap", undefined, pic.caption));
          return fig;
        }),
      );
    },
    refresh() {
      for (const d of downs) d.refresh();
    },
  };
}

export function fileView(_id: number, ctx: ViewContext): View {
  const el = h("a", "rc-file", { target: "_blank", rel: "noopener" });
  el.append(icon("document"));
  const name = h("span", "rc-file-name");
  const size = h("span", "rc-file-size");
  const text = h("span", "rc-file-text");
  text.append(name, size);
  el.append(text);
  // The file element is itself the download link; without downloads it only opens the file.
  const refresh = (): void => {
    if (ctx.opts.downloads) el.download = name.textContent ?? "file";
    else el.removeAttribute("download");
  };
  return {
    kind: "file",
    el,
    body: null,
    update(p) {
      setAttr(el, "href", safeUrl(p["src"]));
      const n = str(p["name"], "file");
      name.textContent = n;
      const s = p["size"];
      size.textContent = typeof s === "number" ? fmtSize(s) : "";
      refresh();
    },
    refresh,
  };
}

export function mediaView(kind: "audio" | "video", ctx: ViewContext): View {
  const el = h("div", "rc-media");
  const name = h("div", "rc-cap");
  const m = h(kind, `rc-${kind}`, { controls: "", preload: "metadata" });
  if (kind === "video") m.setAttribute("playsinline", "");
  // The players' own menus may offer a download too; Chromium's is turned off with the others.
  if (!ctx.opts.downloads) m.setAttribute("controlslist", "nodownload");
  const down = new Download(ctx);
  el.append(name, m, down.el);
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
      down.set(safeUrl(p["src"]), n);
    },
    refresh() {
      down.refresh();
      setAttr(m, "controlslist", ctx.opts.downloads ? "" : "nodownload");
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
