from __future__ import annotations

import pytest

from reactchat.tree import (
    FEW,
    GIVEN_BACK,
    Atop,
    Node,
    Rendered,
    Tree,
    Unrendered,
    numbered,
    own_props,
    props_diff,
    shows_render,
    with_render,
)


def attach(parent: Node, child: Node) -> Node:
    parent.own_children().append(child)
    parent.adopted(child)
    return child


def build() -> tuple[Tree, dict[str, Node]]:
    tree = Tree()
    nodes = {}
    nodes["m0"] = attach(tree.root, tree.new_node("message", ("message", 0), {"role": "user"}))
    nodes["md"] = attach(nodes["m0"], tree.new_node("markdown", ("markdown", 0), {"html": "<p>hi</p>"}))
    nodes["side"] = attach(tree.root, tree.new_node("sidebar", "side", {}))
    nodes["w"] = attach(nodes["side"], tree.new_node("widget", "name", {"type": "text_input"}))
    nodes["m1"] = attach(tree.root, tree.new_node("message", ("message", 1), {"role": "assistant"}))
    return tree, nodes


def test_new_nodes_get_fresh_ids_and_are_indexed() -> None:
    tree, nodes = build()
    ids = [n.id for n in nodes.values()]
    assert len(set(ids)) == len(ids) and 0 not in ids  # 0 is the root's
    assert all(tree.nodes[n.id] is n for n in nodes.values()) and tree.nodes[0] is tree.root


def test_key_path_is_the_keys_from_the_root() -> None:
    _, nodes = build()
    assert nodes["md"].key_path() == (("message", 0), ("markdown", 0))
    assert nodes["w"].key_path() == ("side", "name")
    assert Tree().root.key_path() == ()


def test_forget_drops_a_whole_subtree_from_the_index() -> None:
    tree, nodes = build()
    tree.forget(nodes["m0"])
    assert nodes["m0"].id not in tree.nodes and nodes["md"].id not in tree.nodes
    assert nodes["m1"].id in tree.nodes and nodes["w"].id in tree.nodes
    tree.forget(nodes["m0"])  # forgetting twice is harmless


def test_find_returns_nodes_of_a_kind_in_document_order() -> None:
    tree, nodes = build()
    assert tree.find("message") == [nodes["m0"], nodes["m1"]]
    assert tree.find("widget") == [nodes["w"]] and tree.find("thought") == []


def test_to_wire_is_the_whole_tree_sharing_the_nodes_props() -> None:
    tree, nodes = build()
    wire = tree.to_wire()
    m0, md, side, w, m1 = (nodes[k].id for k in ("m0", "md", "side", "w", "m1"))
    assert wire == [0, "root", {}, [
        [m0, "message", {"role": "user"}, [[md, "markdown", {"html": "<p>hi</p>"}, []]]],
        [side, "sidebar", {}, [[w, "widget", {"type": "text_input"}, []]]],
        [m1, "message", {"role": "assistant"}, []],
    ]]  # fmt: skip
    assert wire[3][0][2] is nodes["m0"].props  # no copy: props are replaced, never changed in place


def test_a_child_is_found_by_key_among_few_by_a_scan_and_among_many_by_an_index_kept_in_step() -> None:
    tree = Tree()
    for i in range(FEW):
        tree.root.own_children().append(child := tree.new_node("message", numbered("message", i), {}))
        tree.root.adopted(child)
    assert tree.root.child(numbered("message", 3)) is tree.root.children[3]
    assert tree.root.keyed is None  # a few: scanned, no index held
    late = tree.new_node("message", "late", {})
    tree.root.own_children().append(late)
    tree.root.adopted(late)
    assert tree.root.child("late") is late and tree.root.keyed is not None  # many: indexed from here on
    tree.root.children.remove(late)
    tree.root.disowned(late)
    assert tree.root.child("late") is None and late.parent is tree.root


def test_a_leaf_holds_no_list_of_its_own_until_a_child_comes() -> None:
    tree = Tree()
    leaf, other = tree.new_node("markdown", "a", {}), tree.new_node("markdown", "b", {})
    assert leaf.children == () and leaf.children is other.children
    child = tree.new_node("markdown", "c", {})
    leaf.own_children().append(child)
    assert leaf.children == [child] and other.children == ()
    assert leaf.own_children() is leaf.children


def test_numbered_keys_are_one_object_for_every_session_up_to_a_bound() -> None:
    assert numbered("markdown", 0) is numbered("markdown", 0) == ("markdown", 0)
    far = 10**7
    assert numbered("message", far) == ("message", far)


def test_rendered_props_are_given_back_as_they_go_and_made_again_from_the_source() -> None:
    renders: list[str] = []

    def rerender(source: str) -> dict[str, str]:
        renders.append(source)
        return Rendered(html=f"<p>{source}</p>")

    tree = Tree(rerender)
    message = attach(tree.root, tree.new_node("message", ("message", 0), {"role": "user"}))
    text = attach(message, tree.new_node("markdown", ("markdown", 0), Rendered(html="<p>hi</p>")))
    text.source = "hi"
    plain = attach(message, tree.new_node("markdown", ("markdown", 1), {"html": "<p>as typed</p>"}))
    plain.source = "as typed"
    first = tree.to_wire(give_back=True)
    assert first[3][0][3][0][2] == {"html": "<p>hi</p>"} and renders == []
    assert text.props is GIVEN_BACK  # the page has them: the tree holds the source only
    assert plain.props == {"html": "<p>as typed</p>"}  # not a render of its source: kept
    assert tree.held(text) == {"html": "<p>hi</p>"} and renders == ["hi"]
    again = tree.to_wire(lambda source: Rendered(html=f"<p>{source}!</p>"))
    assert again[3][0][3][0][2] == {"html": "<p>hi!</p>"}  # the given rerender first
    assert tree.to_wire()[3][0][3][0][2] == {"html": "<p>hi</p>"} and renders == ["hi", "hi"]


def test_a_tree_that_cannot_make_props_again_gives_none_back() -> None:
    tree = Tree()
    node = attach(tree.root, tree.new_node("markdown", ("markdown", 0), Rendered(html="<p>hi</p>")))
    node.source = "hi"
    assert tree.to_wire(give_back=True)[3][0][2] == {"html": "<p>hi</p>"}
    assert node.props == {"html": "<p>hi</p>"} and node.props is not GIVEN_BACK
    node.props = GIVEN_BACK
    with pytest.raises(RuntimeError, match="holds no render and nothing can make it"):
        node.to_wire()


def test_a_child_looked_for_near_the_end_of_many_is_scanned_without_an_index() -> None:
    tree = Tree()
    for i in range(100):
        tree.root.own_children().append(child := tree.new_node("message", numbered("message", i), {}))
        tree.root.adopted(child)
    assert tree.root.child(numbered("message", 98), 97) is tree.root.children[98]
    assert tree.root.child(numbered("message", 3), 97) is None  # before start: the caller's to know
    assert tree.root.keyed is None
    assert tree.root.child(numbered("message", 3), 50) is tree.root.children[3]  # far from the end: indexed
    assert tree.root.keyed is not None


def test_intern_gives_back_an_equal_value_of_an_earlier_run_and_a_different_one_as_it_is() -> None:
    tree = Tree()
    first = (1, ("a",))
    assert tree.intern(first) is first
    equal = (1, ("a",))
    assert tree.intern(equal) is first and tree.intern(equal) is first  # (a later run, on the same tree)
    other = (2, ("a",))
    assert tree.intern(other) is other
    assert tree.intern((2, ("a",))) is other
    assert Tree().intern(equal) is equal  # another session's tree


def render(text: str) -> Rendered:
    return Rendered(html=f"<p>{text}</p>")


def test_a_message_holding_its_text_gives_its_render_back_and_keeps_its_own_props() -> None:
    tree = Tree(render)
    own = Unrendered(role="user")
    node = attach(tree.root, tree.new_node("message", ("message", 0), with_render(own, render("hi"))))
    node.source = "hi"
    assert type(node.props) is Atop and node.props == {"role": "user", "html": "<p>hi</p>"}
    assert own_props(node.props) is own and own_props(GIVEN_BACK) is GIVEN_BACK
    assert own_props({"role": "user", "html": "x", "cuts": [1]}) == {"role": "user"}
    assert tree.to_wire(give_back=True)[3][0][2] == {"role": "user", "html": "<p>hi</p>"}
    assert node.props is own  # given back: its own props stay, shared with every message like it
    assert tree.held(node) == {"role": "user", "html": "<p>hi</p>"} and node.props is own
    assert tree.to_wire(lambda s: render(s.upper()))[3][0][2] == {"role": "user", "html": "<p>HI</p>"}
    assert with_render(GIVEN_BACK, render("a")) == render("a")  # (a markdown node's: the render alone)
    assert type(with_render(own, {"html": "plain"})) is dict  # not a render: kept until it is replaced
    assert shows_render(own) and shows_render(GIVEN_BACK) and shows_render({"role": "user", "html": "x"})
    assert not shows_render({"role": "user"})  # (a message holding parts)


def test_patched_props_of_its_own_keep_a_node_holding_no_render_so() -> None:
    tree = Tree(render)
    node = attach(
        tree.root, tree.new_node("message", ("message", 0), Unrendered(role="user", feedback="like"))
    )
    node.source = "hi"
    patched = tree.patched(node, {"feedback": None, "id": "7"})
    assert type(patched) is Unrendered and patched == {"role": "user", "id": "7"}
    patched = tree.patched(node, {"html": "<p>x</p>"})  # a render patched: it is held now
    assert type(patched) is dict and patched == {"role": "user", "feedback": "like", "html": "<p>x</p>"}
    assert props_diff({"a": 1, "b": 2}, {"a": 1, "c": 3}) == {"c": 3, "b": None}
