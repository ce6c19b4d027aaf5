// Bundles the frontend into ../reactchat/static (deterministic: no timestamps, no absolute paths).
// KaTeX is a separate bundle (katex.js, katex.css, katex/fonts/*.woff2) that app.js loads only for math.
// `node build.mjs --test` bundles test/*.test.ts into a temp dir and runs them with `node --test`.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = resolve(here, "../reactchat/static");
const katexDir = resolve(here, "node_modules/katex");

const common = {
  absWorkingDir: here,
  bundle: true,
  minify: true,
  target: "es2020",
  legalComments: "none",
  sourcemap: false,
  logLevel: "warning",
};

/** katex.js, katex.css (woff2 fonts only, every browser we target has them) and the fonts; returns a hash. */
async function buildKatex() {
  const { version } = JSON.parse(readFileSync(join(katexDir, "package.json"), "utf8"));
  const banner = `/*! KaTeX v${version} | MIT License | https://katex.org */`;
  await esbuild.build({
    ...common,
    entryPoints: ["src/katex.ts"],
    outfile: join(outdir, "katex.js"),
    format: "esm",
    platform: "browser",
    banner: { js: banner },
  });
  const fonts = join(outdir, "katex/fonts");
  rmSync(join(outdir, "katex"), { recursive: true, force: true });
  mkdirSync(fonts, { recursive: true });
  const used = new Set();
  let css = readFileSync(join(katexDir, "dist/katex.min.css"), "utf8").replace(
    /src:url\(fonts\/([\w-]+\.woff2)\) format\("woff2"\)(?:,url\([^)]*\) format\("[\w]+"\))*/g,
    (_, file) => {
      used.add(file);
      return `src:url(katex/fonts/${file}) format("woff2")`;
    },
  );
  if (!used.size || /url\(fonts\//.test(css)) throw new Error("katex.min.css: unexpected @font-face layout");
  for (const file of [...used].sort()) copyFileSync(join(katexDir, "dist/fonts", file), join(fonts, file));
  css = `${banner}\n${css.trim()}\n`;
  writeFileSync(join(outdir, "katex.css"), css);
  const hash = createHash("sha256");
  hash.update(readFileSync(join(outdir, "katex.js")));
  hash.update(css);
  return hash.digest("hex").slice(0, 12);
}

async function build() {
  const katexVersion = await buildKatex();
  await esbuild.build({
    ...common,
    entryPoints: ["src/main.ts"],
    outfile: join(outdir, "app.js"),
    format: "esm",
    platform: "browser",
    define: { __KATEX_V__: JSON.stringify(katexVersion) },
  });
  // What the page runs first, inline in its HTML (reactchat/page.py): no module, no imports left.
  await esbuild.build({
    ...common,
    stdin: { contents: 'import { boot } from "./src/boot"; boot();', resolveDir: here, loader: "ts" },
    outfile: join(outdir, "boot.js"),
    format: "iife",
    platform: "browser",
  });
  // The stylesheet's fonts (Inter) go to fonts/ under their own names, with their licence.
  rmSync(join(outdir, "fonts"), { recursive: true, force: true });
  await esbuild.build({
    ...common,
    entryPoints: ["src/styles.css"],
    outfile: join(outdir, "app.css"),
    loader: { ".woff2": "file" },
    assetNames: "fonts/[name]",
  });
  copyFileSync(join(here, "node_modules/@fontsource-variable/inter/LICENSE"), join(outdir, "fonts/LICENSE-Inter.txt"));
}

async function test() {
  const dir = mkdtempSync(join(tmpdir(), "reactchat-test-"));
  try {
    const entries = readdirSync(join(here, "test"))
      .filter((f) => f.endsWith(".test.ts"))
      .map((f) => `test/${f}`);
    await esbuild.build({
      ...common,
      minify: false,
      entryPoints: entries,
      outdir: dir,
      outExtension: { ".js": ".mjs" },
      format: "esm",
      platform: "node",
      target: "node20",
      define: {
        __FIXTURES_DIR__: JSON.stringify(resolve(here, "../tests/fixtures/ops")),
        __SRC_DIR__: JSON.stringify(resolve(here, "src")),
        __KATEX_V__: JSON.stringify("test"),
      },
    });
    const files = readdirSync(dir).filter((f) => f.endsWith(".mjs")).map((f) => join(dir, f));
    const r = spawnSync(process.execPath, ["--test", ...files], { stdio: "inherit" });
    return r.status ?? 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes("--test")) process.exitCode = await test();
else await build();
