// The chat actions' settings (chat.actions) with their defaults.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { actionsOf } from "../src/actions";
import { chatOpts } from "../src/chatopts";
import { actionButton, setIdleButtons } from "../src/dom";
import { freshDom } from "./dom";

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

describe("buttons that need the app idle", () => {
  test("are disabled while a run goes and enabled after, without a look at any other element", () => {
    const document = freshDom();
    const bar = document.createElement("div");
    document.body.append(bar);
    const retry = actionButton("retry", "Retry", "retry", true, false);
    const copy = actionButton("copy", "Copy", "copy", false, false);
    const made = actionButton("edit", "Edit", "edit", true, true); // made while a run goes
    bar.append(retry, copy, made);
    assert.equal(made.disabled, true);
    setIdleButtons(true);
    assert.deepEqual([retry.disabled, copy.disabled], [true, false]);
    setIdleButtons(false);
    assert.deepEqual([retry.disabled, copy.disabled, made.disabled], [false, false, false]);
    retry.remove(); // gone from the page: forgotten, not toggled
    setIdleButtons(true);
    assert.deepEqual([retry.disabled, made.disabled], [false, true]);
  });
});
