// The chat actions' settings (chat.actions) with their defaults.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { actionsOf } from "../src/actions";
import { chatOpts } from "../src/chatopts";

describe("chat interaction props", () => {
  test("actions default to copy and copy-all only", () => {
    const d = { retry: false, undo: false, clear: false, copy: true, copyAll: true, edit: "", fork: true };
    assert.deepEqual(actionsOf(undefined), d);
    assert.deepEqual(actionsOf({}), d);
    assert.deepEqual(chatOpts().actions, d);
    assert.deepEqual(
      actionsOf({ retry: true, undo: true, clear: true, copy: false, copy_all: false, edit: "all", fork: false }),
      { retry: true, undo: true, clear: true, copy: false, copyAll: false, edit: "all", fork: false },
    );
    assert.equal(actionsOf({ edit: "user" }).edit, "user");
    assert.equal(actionsOf({ edit: "everything", retry: "yes" }).edit, "");
    assert.equal(actionsOf({ retry: "yes" }).retry, false);
  });
});
