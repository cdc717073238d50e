"""Edit a tomlkit document so the admin's comments stay where the admin wrote them.

tomlkit attaches comment lines to the table *above* them, so the comments that introduce a
section (``# ---- Queues ----``) belong to the last table of the previous section. Plain tomlkit
edits would then put a new key or a new ``[[operators]]`` entry below those comments, and
removing the last operator would delete them. These helpers move such trailing comment runs
so that they keep introducing what they introduced.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import tomlkit
from tomlkit.container import Container
from tomlkit.items import AoT, Comment, InlineTable, Item, Null, Table, Whitespace
from tomlkit.toml_document import TOMLDocument

from ccore.config_lines import KeyPath

Holder = TOMLDocument | Table


def to_item(value: Any, *, as_table: bool) -> Item:
    """Turn a Python value into a tomlkit item: tables where ``as_table``, else inline tables.

    Inline tables and arrays are written the way people write them, ``{ a = 1, b = [2] }``.
    """
    if isinstance(value, Item):
        return value
    if isinstance(value, Mapping) and as_table:
        table = tomlkit.table()
        for key, child in value.items():
            table.add(key, to_item(child, as_table=_has_tables(child)))
        return table
    if isinstance(value, Mapping | list | tuple):
        return tomlkit.parse(f"value = {inline_text(value)}\n")["value"]
    return tomlkit.item(value)


def inline_text(value: Any) -> str:
    """Return the one-line TOML text of a value (tables as ``{ key = value, ... }``)."""
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        pairs = (f"{tomlkit.key(str(k)).as_string()} = {inline_text(v)}" for k, v in value.items())
        return "{ " + ", ".join(pairs) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(inline_text(item) for item in value) + "]"
    return tomlkit.item(value).as_string()


def _has_tables(value: Any) -> bool:
    """A table whose values are tables themselves is written as ``[a.b]`` with inline children."""
    return isinstance(value, Mapping) and any(isinstance(v, Mapping) for v in value.values())


def trailing_run(container: Container) -> list[Item]:
    """Return the comments and blank lines that end ``container`` (after its last key)."""
    run: list[Item] = []
    for key, item in reversed(container.body):
        if key is not None or not isinstance(item, Comment | Whitespace | Null):
            break
        run.insert(0, item)
    return run


def _take_run(container: Container) -> list[Item]:
    run = trailing_run(container)
    if run:
        del container.body[len(container.body) - len(run) :]  # unkeyed: no index to fix
    return run


def _put_run(container: Container, run: Sequence[Item]) -> None:
    for item in run:
        container.body.append((None, item))


def tail_container(holder: Holder) -> Container:
    """Return the container whose end is the last text ``holder`` renders."""
    container = holder.value if isinstance(holder, Table) else holder
    for key, item in reversed(container.body):
        if key is None:
            if isinstance(item, Null):  # where tomlkit removed something
                continue
            return container  # a comment or blank line ends this container's own text
        if isinstance(item, Table) and not isinstance(item, InlineTable):
            return tail_container(item)
        if isinstance(item, AoT) and len(item.body) > 0:
            return tail_container(item.body[-1])
        break
    return container


def set_key(holder: Holder, key: str, value: Item) -> None:
    """Set ``key`` in a table; a new key or table goes above the comments that end the table."""
    container = holder.value if isinstance(holder, Table) else holder
    if key in holder:
        holder[key] = value
        return
    if isinstance(value, Table | AoT):
        tail = tail_container(holder)
        run = _take_run(tail)
        _put_run(tail, [item for item in run if isinstance(item, Whitespace)][:1])
        holder[key] = value  # tomlkit itself sets a new table apart with a blank line
        _put_run(tail_container(value if isinstance(value, Table) else value.body[-1]), run)
        return
    first_table = _first_table_index(container)
    if first_table is not None:
        # Keys go above the holder's sub-tables, and above the comments that introduce them.
        container._insert_at(first_table, key, value)  # tomlkit's positional insert
        return
    run = _take_run(container)
    holder[key] = value
    _put_run(container, run)


def _first_table_index(container: Container) -> int | None:
    """Return where the comments and blank lines before the first sub-table begin."""
    for index, (key, item) in enumerate(container.body):
        if key is not None and isinstance(item, Table | AoT):
            while index > 0 and container.body[index - 1][0] is None:
                if not isinstance(container.body[index - 1][1], Comment | Whitespace | Null):
                    break
                index -= 1
            return index
    return None


def set_in(document: TOMLDocument, path: KeyPath, value: Any) -> None:
    """Set the value at ``path`` (creating tables on the way), keeping comments in place."""
    if not path:
        raise ValueError("an empty key path")
    holder: Any = document
    for depth, part in enumerate(path[:-1]):
        if isinstance(part, int) or part in holder:
            holder = holder[part]
        else:
            inside_array = any(isinstance(p, int) for p in path[:depth])
            # A super table prints no header of its own until it gets a key of its own.
            fresh = tomlkit.inline_table() if inside_array else tomlkit.table(is_super_table=True)
            _assign(holder, part, fresh)
            holder = holder[part]
    last = path[-1]
    inside_array = any(isinstance(p, int) for p in path)
    # Sections and their named entries ([recording], [hours.late]) are tables; a flat value
    # deeper down (an IVR option, a skill set) is an inline table like its neighbours.
    as_table = not inside_array and (len(path) <= 2 or _has_tables(value))
    _assign(holder, last, to_item(value, as_table=as_table))


def _assign(holder: Any, key: str | int, item: Item) -> None:
    if isinstance(key, int):
        holder[key] = item
    elif isinstance(holder, TOMLDocument | Table):
        set_key(holder, key, item)
    else:
        holder[key] = item


def delete_in(document: TOMLDocument, path: KeyPath) -> None:
    """Remove the key, table or array entry at ``path``; comments after it stay in place."""
    holder = resolve(document, path[:-1])
    last = path[-1]
    if isinstance(holder, AoT) or (
        isinstance(holder, TOMLDocument | Table) and isinstance(holder.get(last), Table)
    ):
        remove_block(document, path)
        return
    if isinstance(holder, TOMLDocument | Table):
        _drop_comments_above(holder.value if isinstance(holder, Table) else holder, str(last))
    del holder[last]


def resolve(document: TOMLDocument, path: KeyPath) -> Any:
    """Return the item at ``path`` in the document."""
    item: Any = document
    for part in path:
        item = item[part]
    return item


def _drop_comments_above(container: Container, key: str) -> None:
    """Blank out the comment lines directly above ``key``: they describe the removed key."""
    body = container.body
    index = next((i for i, (k, _) in enumerate(body) if k is not None and k.key == key), None)
    if index is None:
        return
    for above in range(index - 1, -1, -1):
        item_key, item = body[above]
        if item_key is not None or not isinstance(item, Comment):
            return
        body[above] = (None, Null())  # tomlkit's own way: keeps every key's index valid


def append_table(document: TOMLDocument, key: str, values: Mapping[str, Any]) -> None:
    """Append an entry to the array of tables ``key`` (``[[operators]]``), after the last one.

    The comments that followed the last entry (they introduce the next section) move below
    the new entry; a blank line separates the entries.
    """
    table = to_item(values, as_table=True)
    existing = document.get(key)
    if not isinstance(existing, AoT) or len(existing.body) == 0:
        aot = tomlkit.aot()
        aot.append(table)
        set_key(document, key, aot)
        return
    previous = tail_container(existing.body[-1])
    run = _take_run(previous)
    blank = [item for item in run if isinstance(item, Whitespace)][:1]
    _put_run(previous, blank or [tomlkit.ws("\n")])
    existing.append(table)
    _put_run(table.value, run)


def remove_table(document: TOMLDocument, path: KeyPath, index: int) -> None:
    """Remove entry ``index`` of the array of tables at ``path`` (``[[operators]]``)."""
    remove_block(document, (*path, index))


def remove_block(document: TOMLDocument, path: KeyPath) -> None:
    """Remove a table (``[ivr.sales]``) or an array-of-tables entry, keeping others' comments.

    The comments that followed the removed block introduce what came next, so they stay,
    attached to what now comes before. Comments directly above a block that follows a sibling
    describe that block and go with it; those above the first block of a section introduce
    the section and stay. Parents left empty (``[[queues]]`` with no entry, the ``ivr`` of
    ``[ivr.sales]``) go too.
    """
    holder = resolve(document, path[:-1])
    run = _take_run(tail_container(holder[path[-1]]))
    before, replace = _rendered_before(document, path)
    del holder[path[-1]]
    parent_left = _prune_empty(document, path[:-1])
    if before is None:
        return
    if replace:
        _take_run(before)
    elif parent_left:
        while run and isinstance(run[0], Whitespace):
            run.pop(0)  # the blank line that set the removed block apart from the next
    _put_run(before, run)


def _rendered_before(document: TOMLDocument, path: KeyPath) -> tuple[Container | None, bool]:
    """Return the container whose text ends just before the block at ``path``.

    The flag says whether the comments ending that container are about the block (they
    follow a sibling or the parent's own keys) rather than introducing a whole section.
    """
    if not path:
        return None, False
    holder = resolve(document, path[:-1])
    last = path[-1]
    if isinstance(holder, AoT):
        if isinstance(last, int) and last > 0:
            return tail_container(holder.body[last - 1]), True
        return _rendered_before(document, path[:-1])[0], False
    container = holder.value if isinstance(holder, Table) else holder
    previous: Item | None = None
    after = False
    for key, item in container.body:
        if key is not None and key.key == last:
            after = True
        elif key is not None and not after:
            previous = item
        elif (
            key is not None
            and isinstance(item, Table | AoT)
            and previous is not None
            and not isinstance(previous, Table | AoT)
        ):
            return None, False  # the holder's keys end before later tables: no safe spot
    if isinstance(previous, Table) and not isinstance(previous, InlineTable):
        return tail_container(previous), True
    if isinstance(previous, AoT) and len(previous.body) > 0:
        return tail_container(previous.body[-1]), True
    if previous is not None or (isinstance(holder, Table) and not holder.is_super_table()):
        return container, True
    return _rendered_before(document, path[:-1])[0], False


def _prune_empty(document: TOMLDocument, path: KeyPath) -> bool:
    """Remove the emptied parents of a removed block; return whether the parent remains."""
    while path:
        node = resolve(document, path)
        empty_aot = isinstance(node, AoT) and len(node.body) == 0
        empty_super = isinstance(node, Table) and len(node) == 0 and node.is_super_table()
        if not (empty_aot or empty_super):
            return True
        del resolve(document, path[:-1])[path[-1]]
        path = path[:-1]
    return False
