// Bundles the frontend into ../reactchat/static (deterministic: no timestamps, no absolute paths).
// `node build.mjs --test` bundles test/*.test.ts into a temp dir and runs them with `node --test`.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = resolve(here, "../reactchat/static");

const common = {
  absWorkingDir: here,
  bundle: true,
  minify: true,
  target: "es2020",
  legalComments: "none",
  sourcemap: false,
  logLevel: "warning",
};

async function build() {
  await esbuild.build({
    ...common,
    entryPoints: ["src/main.ts"],
    outfile: join(outdir, "app.js"),
    format: "esm",
    platform: "browser",
  });
  await esbuild.build({
    ...common,
    entryPoints: ["src/styles.css"],
    outfile: join(outdir, "app.css"),
  });
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
      define: { __FIXTURES_DIR__: JSON.stringify(resolve(here, "../tests/fixtures/ops")) },
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
