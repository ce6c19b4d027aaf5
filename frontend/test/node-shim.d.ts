// Just the Node APIs the tests use (avoids a dependency on @types/node).
declare module "node:test" {
  type Fn = () => void | Promise<void>;
  export function test(name: string, fn: Fn): void;
  export function describe(name: string, fn: Fn): void;
  export const mock: {
    timers: {
      enable(options: { apis: ("setTimeout" | "setInterval" | "Date")[]; now?: number }): void;
      tick(ms: number): void;
      reset(): void;
    };
  };
}

declare module "node:assert/strict" {
  interface Assert {
    (value: unknown, message?: string): asserts value;
    ok(value: unknown, message?: string): asserts value;
    equal<T>(actual: unknown, expected: T, message?: string): asserts actual is T;
    deepEqual<T>(actual: unknown, expected: T, message?: string): asserts actual is T;
    notEqual(actual: unknown, expected: unknown, message?: string): void;
    throws(fn: () => unknown, message?: string): void;
    match(value: string, re: RegExp, message?: string): void;
  }
  const assert: Assert;
  export default assert;
}

declare module "node:fs" {
  export function readFileSync(path: string, encoding: "utf8"): string;
  export function readdirSync(path: string): string[];
}

/** The absolute path of tests/fixtures/ops, injected by build.mjs. */
declare const __FIXTURES_DIR__: string;

/** The absolute path of frontend/src, injected by build.mjs. */
declare const __SRC_DIR__: string;
