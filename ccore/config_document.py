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
    """Turn a Python value into a tomlkit item: tables where ``as_table``, else inline tables."""
    if isinstance(value, Item):
        return value
    if isinstance(value, Mapping):
        if as_table:
            table = tomlkit.table()
            for key, child in value.items():
                table.add(key, to_item(child, as_table=_has_tables(child)))
            return table
        inline = tomlkit.inline_table()
        for key, child in value.items():
            inline.append(key, to_item(child, as_table=False))
        return inline
    if isinstance(value, list | tuple):
        array = tomlkit.array()
        for child in value:
            array.append(to_item(child, as_table=False))
        return array
    return tomlkit.item(value)


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
    if trailing_run(container):
        return container
    for key, item in reversed(container.body):
        if key is None:
            continue
        if isinstance(item, Table) and not isinstance(item, InlineTable):
            return tail_container(item)
        if isinstance(item, AoT) and len(item.body) > 0:
            return tail_container(item.body[-1])
        break
    return container


def set_key(holder: Holder, key: str, value: Item) -> None:
    """Set ``key`` in a table, a new key going above the comments that end the table."""
    container = holder.value if isinstance(holder, Table) else holder
    if key in holder or isinstance(value, Table | AoT):
        holder[key] = value
        return
    run = _take_run(container)
    holder[key] = value
    _put_run(container, run)


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
    item = to_item(value, as_table=not inside_array and isinstance(value, Mapping))
    _assign(holder, last, item)


def _assign(holder: Any, key: str | int, item: Item) -> None:
    if isinstance(key, int):
        holder[key] = item
    elif isinstance(holder, TOMLDocument | Table):
        set_key(holder, key, item)
    else:
        holder[key] = item


def delete_in(document: TOMLDocument, path: KeyPath) -> None:
    """Remove the key or array item at ``path``; comments after it stay for what follows."""
    holder: Any = document
    for part in path[:-1]:
        holder = holder[part]
    last = path[-1]
    if isinstance(holder, AoT) and isinstance(last, int):
        remove_table(document, path[:-1], last)
        return
    if isinstance(holder, TOMLDocument | Table) and isinstance(holder.get(last), Table):
        run = _take_run(tail_container(holder[last]))
        del holder[last]
        _put_run(tail_container(holder), run)
        return
    if isinstance(holder, TOMLDocument | Table):
        _drop_comments_above(holder.value if isinstance(holder, Table) else holder, last)
    del holder[last]


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
    """Remove entry ``index`` of the array of tables at ``path``, keeping others' comments.

    Comments between the removed entry and the next one (or the next section) stay, attached
    to the entry before; the comments that introduce the whole array stay where they are.
    """
    holder: Any = document
    for part in path[:-1]:
        holder = holder[part]
    aot: AoT = holder[path[-1]]
    tables = aot.body
    run = _take_run(tail_container(tables[index]))
    if index > 0:
        previous = tail_container(tables[index - 1])
        _take_run(previous)
        _put_run(previous, run)
        del aot[index]
        return
    before = _container_before(holder, path[-1])
    del aot[index]
    if len(aot.body) == 0:
        del holder[path[-1]]
    if before is not None:
        # The blank lines that set the removed entry apart from the next one go with it.
        while run and len(aot.body) > 0 and isinstance(run[0], Whitespace):
            run.pop(0)
        _put_run(before, run)


def _container_before(holder: Any, key: str | int) -> Container | None:
    """Return the container rendered just before ``holder[key]``, if it is a table's."""
    container = holder.value if isinstance(holder, Table) else holder
    previous: Item | None = None
    for item_key, item in container.body:
        if item_key is not None and item_key.key == key:
            break
        if item_key is not None:
            previous = item
    if isinstance(previous, Table) and not isinstance(previous, InlineTable):
        return tail_container(previous)
    if isinstance(previous, AoT) and len(previous.body) > 0:
        return tail_container(previous.body[-1])
    return None
