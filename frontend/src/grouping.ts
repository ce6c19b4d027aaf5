// Grouping of consecutive same-role messages among a container's children, recomputed only around what changed.
import { groupFlags } from "./format";
import type { View } from "./view";

/** A run of sibling indices, first and last included (empty, [i, i - 1], when only removals happened at i). */
export type Range = [number, number];

/**
 * Mark consecutive same-role messages among `kids` (`shown` gives the view of each that takes part, null for
 * those that neither join nor break a group): `rc-cont` continues, `rc-more` is continued; with `grouped` off,
 * none is. With a `range` of children that changed, only those and the neighbour on each side are marked (a
 * flag of the neighbour faces the range); two neighbours on each side are read, so that the nearer one's other
 * flag comes out as it was. A turn at the end of a long transcript touches a few messages, not all.
 */
export function regroup(
  kids: readonly number[],
  range: Range | null,
  shown: (id: number) => View | null,
  grouped: boolean,
): void {
  const [lo, hi] = range ?? [0, kids.length - 1];
  const at = (i: number): View | null => (i >= 0 && i < kids.length ? shown(kids[i] as number) : null);
  const vs: View[] = [];
  let before = 0;
  for (let i = lo - 1; i >= 0 && before < 2; i--) {
    const v = at(i);
    if (v) before = vs.unshift(v);
  }
  for (let i = Math.max(lo, 0); i <= hi && i < kids.length; i++) {
    const v = at(i);
    if (v) vs.push(v);
  }
  let after = 0;
  for (let i = hi + 1; i < kids.length && after < 2; i++) {
    const v = at(i);
    if (v) {
      vs.push(v);
      after++;
    }
  }
  const flags = groupFlags(vs.map((v) => (v.kind === "message" && grouped ? (v.el.dataset["role"] ?? null) : null)));
  // The outermost of two neighbours read is context only (its other neighbour was not read).
  const end = after === 2 ? vs.length - 1 : vs.length;
  for (let i = before === 2 ? 1 : 0; i < end; i++) {
    const v = vs[i] as View;
    if (v.kind !== "message") continue;
    const f = flags[i];
    v.el.classList.toggle("rc-cont", !!f?.cont);
    v.el.classList.toggle("rc-more", !!f?.more);
  }
}
