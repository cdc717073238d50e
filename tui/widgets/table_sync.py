"""Update a DataTable in place from keyed rows: only changed cells are redrawn.

Rebuilding a table every second would reset the cursor and redraw every cell; with 100
operators and 50 callers the wallboard touches only what changed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable


def sync_table(table: DataTable[Any], rows: Mapping[str, Sequence[Any]]) -> None:
    """Make ``table`` show ``rows`` (row key -> cells, in column order) in the given order."""
    columns = list(table.columns)
    existing = {key.value for key in table.rows}
    wanted = list(rows)
    for gone in existing - set(wanted):
        table.remove_row(gone)
    order_kept = [key.value for key in table.rows if key.value in rows] == [
        key for key in wanted if key in existing
    ]
    if not order_kept:
        table.clear()
        existing = set()
    for key in wanted:
        cells = rows[key]
        if key not in existing:
            table.add_row(*cells, key=key)
            continue
        current = table.get_row(key)
        for column, old, new in zip(columns, current, cells, strict=False):
            if old != new:
                # Re-measuring a column costs a pass over all its cells: only when it must grow.
                wider = _width(new) > table.columns[column].content_width
                table.update_cell(key, column, new, update_width=wider)


def _width(value: Any) -> int:
    """How many terminal cells a value takes."""
    return cell_len(value.plain if isinstance(value, Text) else str(value))
