from __future__ import annotations

import copy
import json
import pathlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reactchat.ops import (
    APP,
    DEL,
    ERR,
    INS,
    MOV,
    REP,
    RUN,
    SET,
    SNAP,
    TXT,
    Batch,
    Replica,
    WireNode,
    apply,
    compact,
    cut_utf16,
    empty_root,
    utf16_len,
    walk,
)  # fmt: skip
from reactchat.protocol import encode_frame

FIXTURES = sorted((pathlib.Path(__file__).parent / "fixtures" / "ops").glob("*.json"))


def test_there_are_shared_fixtures() -> None:
    assert len(FIXTURES) >= 10


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_reference_apply_passes_shared_fixture(path: pathlib.Path) -> None:
    fixture = json.loads(path.read_text())
    tree = fixture["initial"]
    for frame in fixture["frames"]:
        tree = apply(tree, frame)
    assert tree == fixture["expected"], fixture["name"]


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_a_replica_applies_frames_in_place_as_the_reference_does(path: pathlib.Path) -> None:
    fixture = json.loads(path.read_text())
    frames = fixture["frames"]
    kept = json.loads(json.dumps(frames))
    replica = Replica(json.loads(json.dumps(fixture["initial"])))
    for frame in frames:
        replica.apply(frame)
    assert replica.root == fixture["expected"]
    assert frames == kept  # what a frame inserted was copied: the ops can be kept and applied again
    owned = Replica(json.loads(json.dumps(fixture["initial"])), owned=True)
    for frame in json.loads(json.dumps(frames)):  # ops decoded for it alone
        owned.apply(frame)
    assert owned.root == fixture["expected"]


def test_cut_counts_utf16_units() -> None:
    assert utf16_len("a😀") == 3
    assert cut_utf16("a😀", 2) == "a"
    assert cut_utf16("abc", 0) == "abc"


def test_walk_visits_every_node_in_document_order() -> None:
    tree = [0, "root", {}, [[1, "a", {}, [[2, "b", {}, []], [3, "c", {}, []]]], [4, "d", {}, []]]]
    assert [n[0] for n in walk(tree)] == [0, 1, 2, 3, 4]
    assert [n[0] for n in walk(empty_root())] == [0]
    deep: WireNode = [0, "root", {}, []]
    node = deep
    for i in range(1, 5000):  # deeper than the recursion limit
        child: WireNode = [i, "x", {}, []]
        node[3].append(child)
        node = child
    assert sum(1 for _ in walk(deep)) == 5000


def test_app_on_missing_prop_starts_empty() -> None:
    tree = apply(
        None, [[INS, 0, None, [1, "markdown", {}, []]], [APP, 1, "tail", "hi", 0], [APP, 1, "b", ["x"], 0]]
    )
    assert tree[3][0][2] == {"tail": "hi", "b": ["x"]}


TEXT = st.text(alphabet="ab😀\n", max_size=4)


def _ids(node: WireNode) -> list[int]:
    out = [node[0]]
    for child in node[3]:
        out += _ids(child)
    return out


def _find(node: WireNode, node_id: int) -> WireNode | None:
    if node[0] == node_id:
        return node
    for child in node[3]:
        found = _find(child, node_id)
        if found is not None:
            return found
    return None


@st.composite
def op_sequences(draw: st.DrawFn) -> tuple[WireNode, list[list[object]]]:
    """A random starting tree and a random sequence of ops that are valid when applied in order."""
    next_id = [100]

    def new_node(depth: int = 0) -> WireNode:
        next_id[0] += 1
        node_id = next_id[0]
        children = [new_node(depth + 1) for _ in range(draw(st.integers(0, 2 if depth < 2 else 0)))]
        return [node_id, draw(st.sampled_from("ab")), {"t": draw(TEXT), "l": ["x"]}, children]

    initial = empty_root()
    initial[3] = [new_node() for _ in range(draw(st.integers(0, 3)))]
    tree, ops = initial, []
    for _ in range(draw(st.integers(1, 25))):
        ids = _ids(tree)
        non_root = ids[1:]
        choice = draw(
            st.sampled_from(["ins", "set", "app", "appl", "del", "mov", "rep", "run", "err", "snap"])
        )
        op: list[object]
        if choice == "ins" or (not non_root and choice in ("set", "app", "appl", "del", "mov", "rep")):
            parent = _find(tree, draw(st.sampled_from(ids)))
            assert parent is not None
            after = draw(st.sampled_from([None, *[c[0] for c in parent[3]]]))
            op = [INS, parent[0], after, new_node(1)]
        elif choice == "set":
            op = [
                SET,
                draw(st.sampled_from(non_root)),
                {draw(st.sampled_from("tux")): draw(st.one_of(st.none(), TEXT))},
            ]
        elif choice == "app":
            node = _find(tree, draw(st.sampled_from(non_root)))
            assert node is not None
            current = node[2].get("t")
            if not isinstance(current, str):
                current = ""
            removed = draw(st.integers(0, len(current)))  # whole characters, as the server cuts
            cut = utf16_len(current[len(current) - removed :])
            op = [APP, node[0], "t", draw(TEXT), cut]
        elif choice == "appl":
            node_id = draw(st.sampled_from(non_root))
            op = [APP, node_id, "l", [draw(TEXT)], 0]
        elif choice == "del":
            op = [DEL, draw(st.sampled_from(non_root))]
        elif choice == "mov":
            node = _find(tree, draw(st.sampled_from(non_root)))
            assert node is not None
            inside = set(_ids(node))
            targets = [i for i in ids if i not in inside]
            parent = _find(tree, draw(st.sampled_from(targets)))
            assert parent is not None
            after = draw(st.sampled_from([None, *[c[0] for c in parent[3] if c[0] != node[0]]]))
            op = [MOV, node[0], parent[0], after]
        elif choice == "rep":
            old = draw(st.sampled_from(non_root))
            new = new_node(1)
            if draw(st.booleans()):
                new[0] = old
            op = [REP, old, new]
        elif choice == "run":
            op = [RUN, draw(st.sampled_from(["running", "done"]))]
        elif choice == "err":
            op = [ERR, draw(st.one_of(st.none(), st.just({"message": "x"})))]
        else:
            snap = empty_root()
            snap[3] = [new_node(1)]
            op = [SNAP, snap]
        ops.append(op)
        tree = apply(tree, [op])
    return initial, ops


@settings(max_examples=400, deadline=None)
@given(op_sequences())
def test_coalescing_preserves_meaning(case: tuple[WireNode, list[list[object]]]) -> None:
    initial, ops = case
    batch = Batch()
    for op in copy.deepcopy(ops):
        batch.push(op)
    coalesced = batch.take()
    assert apply(initial, coalesced) == apply(initial, ops)
    assert len(coalesced) <= len(ops)
    # Run state and overlay: the last one wins, and only the last one is kept.
    for code in (RUN, ERR):
        mine = [op for op in coalesced if op[0] == code]
        theirs = [op for op in ops if op[0] == code]
        assert mine == theirs[-1:]


def test_compact_sends_plain_appends_to_html_as_txt_and_means_the_same() -> None:
    initial = [0, "root", {}, [[1, "markdown", {"html": "<p>ab", "cuts": []}, []]]]
    ops = [
        [APP, 1, "html", " c", 0],
        [APP, 1, "html", "d", 1],  # a cut: stays APP
        [APP, 1, "cuts", [5], 0],  # a list: stays APP
        [APP, 1, "tail", "x", 0],  # another prop: stays APP
        [RUN, "done"],
    ]
    short = compact(ops)
    assert [op[0] for op in short] == [TXT, APP, APP, APP, RUN]
    assert short[0] == [TXT, 1, " c"]
    assert apply(initial, short) == apply(initial, ops)
    assert len(encode_frame(9, short)) == len(encode_frame(9, ops)) - 6


def test_a_set_of_the_prop_an_app_appended_to_drops_the_app() -> None:
    batch = Batch()
    for op in ([APP, 5, "html", "x", 0], [APP, 5, "cuts", [3], 0], [SET, 5, {"cuts": None}]):
        batch.push(op)
    assert batch.take() == [[APP, 5, "html", "x", 0], [SET, 5, {"cuts": None}]]


def test_app_after_app_concatenates_into_one_op() -> None:
    batch = Batch()
    for op in ([APP, 5, "tail", "ab", 0], [APP, 5, "tail", "c", 1], [APP, 5, "tail", "d", 3]):
        batch.push(op)
    assert batch.take() == [[APP, 5, "tail", "d", 1]]


def test_ops_on_a_node_inserted_in_the_same_batch_fold_into_it() -> None:
    batch = Batch()
    batch.push([INS, 0, None, [1, "message", {"role": "assistant"}, []]])
    batch.push([INS, 1, None, [2, "markdown", {"blocks": [], "tail": ""}, []]])
    batch.push([APP, 2, "tail", "Hel", 0])
    batch.push([APP, 2, "blocks", ["<p>x</p>"], 0])
    assert batch.take() == [
        [
            INS,
            0,
            None,
            [
                1,
                "message",
                {"role": "assistant"},
                [[2, "markdown", {"blocks": ["<p>x</p>"], "tail": "Hel"}, []]],
            ],
        ]
    ]


def test_ops_folded_into_an_inserted_payload_leave_the_props_it_carried_as_they_were() -> None:
    # A payload carries a live node's props (Node.to_wire does not copy them): folding changes a copy.
    message, markdown = {"role": "assistant"}, {"html": "<p>a</p>"}
    batch = Batch()
    batch.push([INS, 0, None, [1, "message", message, [[2, "markdown", markdown, []]]]])
    batch.push([SET, 1, {"role": "user", "feedback": "like"}])
    batch.push([APP, 2, "html", "<p>b</p>", 0])
    assert batch.take() == [
        [INS, 0, None, [1, "message", {"role": "user", "feedback": "like"},
                        [[2, "markdown", {"html": "<p>a</p><p>b</p>"}, []]]]],
    ]  # fmt: skip
    assert message == {"role": "assistant"} and markdown == {"html": "<p>a</p>"}


def test_delete_of_a_node_inserted_in_the_same_batch_cancels_both() -> None:
    batch = Batch()
    batch.push([INS, 0, None, [1, "markdown", {}, []]])
    batch.push([SET, 1, {"a": "b"}])
    batch.push([DEL, 1])
    assert batch.take() == []
