// The user's open/closed choice per thought, by node id (stable across reruns), kept for the session
// in memory and in sessionStorage so it also survives a page reload.
import { KEYS, load, save, sessionToken } from "./tab";

const MAX = 500;

/** The session the choices belong to (undefined: not read yet). */
let token: string | null | undefined;
let chosen = new Map<number, boolean>();

/** The choices of the current session: a new session token (ids start over) forgets the old ones. */
function current(): Map<number, boolean> {
  const t = sessionToken();
  if (t !== token) {
    token = t;
    chosen = new Map();
    try {
      const v: unknown = JSON.parse(load(KEYS.open) ?? "null");
      if (Array.isArray(v) && v[0] === t && Array.isArray(v[1])) {
        for (const e of v[1] as unknown[]) {
          if (Array.isArray(e) && typeof e[0] === "number") chosen.set(e[0], e[1] === 1);
        }
      }
    } catch {
      // A corrupt entry only loses the remembered choices.
    }
  }
  return chosen;
}

export function chosenOpen(id: number): boolean | undefined {
  return current().get(id);
}

export function chooseOpen(id: number, open: boolean): void {
  const m = current();
  m.delete(id); // re-insert: the oldest choices are the first to go past MAX
  m.set(id, open);
  for (const k of m.keys()) {
    if (m.size <= MAX) break;
    m.delete(k);
  }
  save(KEYS.open, JSON.stringify([token, [...m].map(([k, o]) => [k, o ? 1 : 0])]));
}
