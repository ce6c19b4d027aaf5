// The modules of src/ import one way: no import cycles, type-only imports and re-exports counted as edges.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";

type Graph = Map<string, string[]>;

/** Source without comments (strings and template literals kept as they are). */
function stripComments(src: string): string {
  let out = "";
  for (let i = 0; i < src.length; ) {
    const c = src[i] as string;
    const two = src.slice(i, i + 2);
    if (two === "//") {
      while (i < src.length && src[i] !== "\n") i++;
    } else if (two === "/*") {
      const end = src.indexOf("*/", i + 2);
      i = end < 0 ? src.length : end + 2;
      out += " ";
    } else if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      while (j < src.length && src[j] !== c) j += src[j] === "\\" ? 2 : 1;
      out += src.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The relative modules a file names in import/export-from statements (type-only ones too) and import(). */
export function importsOf(src: string): string[] {
  const code = stripComments(src);
  const found: string[] = [];
  const patterns = [
    /^[ \t]*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']/gm, // import x / import type x / export * from
    /^[ \t]*import\s*["']([^"']+)["']/gm, // import "./x" (side effects only)
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g, // import("./x")
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) found.push(m[1] as string);
  return found.filter((s) => s.startsWith("./")).map((s) => s.slice(2).replace(/\.ts$/, ""));
}

/** The first cycle found, as a path that starts and ends at the same module; null when there is none. */
export function findCycle(graph: Graph): string[] | null {
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (n: string): string[] | null => {
    if (state.get(n) === "done") return null;
    if (state.get(n) === "open") return [...path.slice(path.indexOf(n)), n];
    state.set(n, "open");
    path.push(n);
    for (const m of graph.get(n) ?? []) {
      const c = visit(m);
      if (c) return c;
    }
    path.pop();
    state.set(n, "done");
    return null;
  };
  for (const n of [...graph.keys()].sort()) {
    const c = visit(n);
    if (c) return c;
  }
  return null;
}

function graphOf(files: Record<string, string>): Graph {
  return new Map(Object.entries(files).map(([name, src]) => [name, importsOf(src)]));
}

const SRC = __SRC_DIR__;
const modules = readdirSync(SRC)
  .filter((f) => f.endsWith(".ts"))
  .sort();
const sources: Record<string, string> = Object.fromEntries(
  modules.map((f) => [f.replace(/\.ts$/, ""), readFileSync(`${SRC}/${f}`, "utf8")]),
);

describe("module imports", () => {
  test("the scanner sees every kind of import, and no commented-out one", () => {
    const src = [
      '// A module. import { x } from "./commented";',
      'import { a, type B } from "./a";',
      'import type { C } from "./c";',
      "import {",
      "  d,",
      "  e,",
      '} from "./d";',
      'import "./side";',
      'export { f } from "./f";',
      'export * from "./g";',
      'export type { H } from "./h";',
      'import x from "katex";',
      "/* import { y } from \"./block\"; */",
      'const s = "import { z } from \'./string\'";',
      'const lazy = () => import("./lazy");',
    ].join("\n");
    assert.deepEqual(importsOf(src).sort(), ["a", "c", "d", "f", "g", "h", "lazy", "side"]);
  });

  test("a cycle through a type-only import is found", () => {
    const cycle = findCycle(
      graphOf({
        main: 'import { v } from "./views";',
        views: 'import { w } from "./widgets";\nimport { h } from "./dom";',
        widgets: 'import type { View } from "./views";',
        dom: "",
      }),
    );
    assert.deepEqual(cycle, ["views", "widgets", "views"]);
    assert.equal(findCycle(graphOf({ a: 'import "./b";', b: 'import "./c";', c: "" })), null);
  });

  test("src/ has modules, and every relative import names one of them", () => {
    assert.ok(modules.length >= 10, `only ${modules.length} modules in ${SRC}`);
    for (const [name, src] of Object.entries(sources)) {
      for (const dep of importsOf(src)) assert.ok(dep in sources, `${name}.ts imports ./${dep}, which is not in src/`);
    }
  });

  test("src/ has no import cycle", () => {
    const cycle = findCycle(graphOf(sources));
    assert.equal(cycle, null, `import cycle: ${(cycle ?? []).join(" -> ")}`);
  });

  test("every module's first line says what it owns", () => {
    for (const [name, src] of Object.entries(sources)) {
      assert.ok(/^\/\/ \S/.test(src), `${name}.ts does not start with a comment`);
    }
  });
});
