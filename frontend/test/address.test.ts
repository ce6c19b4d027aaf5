// The address bar against a fake history: replace or push as the server's path moves; back/forward send events.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Address, type Place } from "../src/address";
import type { Props, Value } from "../src/protocol";

function fake(start: string) {
  const log: string[] = [];
  let path = start;
  let pop = () => {};
  const place: Place = {
    path: () => path,
    push: (p) => void log.push(`push ${(path = p)}`),
    replace: (p) => void log.push(`replace ${(path = p)}`),
    onPop: (fn) => void (pop = fn),
  };
  const sent: [number, string, Value][] = [];
  const address = new Address((id, a, v) => void sent.push([id, a, v]), place);
  /** The user goes back or forward to `to`. */
  const back = (to: string) => {
    path = to;
    pop();
  };
  return { address, log, sent, back };
}

const item = (id: string): Value => ({ id, title: null, updated_at: 0 });
const at = (active: string | null, ids: string[], extra: Props = {}): Props => ({
  items: ids.map(item),
  active,
  path: active ? `/c/${active}` : "/",
  ...extra,
});

describe("the address bar", () => {
  test("a new chat that gets stored replaces the entry; switching pushes one", () => {
    const { address, log } = fake("/");
    address.follow(1, at(null, ["a1"]));
    address.follow(1, at("n9", ["n9", "a1"]));
    address.follow(1, at("a1", ["n9", "a1"]));
    address.follow(1, at(null, ["n9", "a1"]));
    assert.deepEqual(log, ["replace /c/n9", "push /c/a1", "push /"]);
  });

  test("a URL naming a chat the server does not show is corrected in place", () => {
    const { address, log } = fake("/c/nope");
    address.follow(1, at(null, ["a1"]));
    assert.deepEqual(log, ["replace /"]);
  });

  test("back and forward ask for the conversation the URL names; the answer pushes nothing", () => {
    const { address, log, sent, back } = fake("/c/a1");
    address.follow(4, at("a1", ["a1", "b2"]));
    back("/c/b2");
    address.follow(4, at("a1", ["a1", "b2"], { more: true })); // not answered yet: the URL stays
    address.follow(4, at("b2", ["a1", "b2"]));
    back("/");
    back("/c/a1");
    assert.deepEqual(sent, [
      [4, "conversation_open", "b2"],
      [4, "conversation_new", null],
      [4, "conversation_open", "a1"],
    ]);
    assert.deepEqual(log, []);
  });

  test("an entry of the chat shown (a hash link's) sends nothing; without the node nothing is sent", () => {
    const { address, sent, back } = fake("/c/a1");
    address.follow(4, at("a1", ["a1"]));
    back("/c/a1");
    address.follow(null, null);
    back("/c/b2");
    assert.deepEqual(sent, []);
  });
});
