"""Every key of a TOML text is found on its own line, whatever the layout."""

from __future__ import annotations

import json
import re
import tomllib
from typing import Any

import tomlkit
from hypothesis import given, settings
from hypothesis import strategies as st

from ccore.config_lines import KeyPath, locate_keys

TRICKY = """\
# header comment with [brackets] and = signs
title = "a [fake] header"   # trailing [comment]
notes = \"\"\"
[[operators]]
extension = "9999"
\"\"\"
raw = '''
[center]
'''

[[operators]]
extension = "1001"
skills = { "billing" = 7, english = 5 }

[[operators]]   # second
extension = "1002"
tiers = [
  ["1001", "1002"],  # first tier
  ["1003"],
]

[ivr.main.options]
"*" = { action = "repeat" }
1 = { action = "queue", queue = "support" }

[ivr."main"]
greeting = "x.wav"
site.city = "Berlin"
"""


def test_keys_are_found_past_strings_comments_and_arrays_that_look_like_headers() -> None:
    lines = locate_keys(TRICKY).lines

    assert lines[("title",)] == 2
    assert lines[("raw",)] == 7
    assert lines[("operators", 0)] == 11
    assert lines[("operators", 0, "extension")] == 12
    assert lines[("operators", 0, "skills", "billing")] == 13
    assert lines[("operators", 1)] == 15
    assert lines[("operators", 1, "extension")] == 16
    assert lines[("operators", 1, "tiers", 1, 0)] == 19
    assert lines[("ivr", "main", "options", "*")] == 23
    assert lines[("ivr", "main", "options", "1", "queue")] == 24
    assert lines[("ivr", "main")] == 26
    assert lines[("ivr", "main", "site", "city")] == 28
    assert ("operators", 2) not in lines  # the one inside the multi-line string


def test_a_missing_key_falls_back_to_its_table() -> None:
    found = locate_keys(TRICKY)

    assert found.line_for(("operators", 1, "name")) == 15
    assert found.line_for(("nothing", "here")) is None


keys = st.sampled_from(["name", "a-b", "x_1", "1", "*", "two words", "é"])
scalars = st.one_of(st.integers(-5, 5), st.booleans(), st.text(alphabet="ab[]=#\"' \n", max_size=6))
values = st.recursive(
    scalars | st.lists(scalars, max_size=3),
    lambda inner: (
        st.dictionaries(keys, inner, max_size=3)
        | st.lists(st.dictionaries(keys, inner, min_size=1, max_size=3), min_size=1, max_size=3)
    ),
    max_leaves=12,
)
documents = st.dictionaries(keys, values, min_size=1, max_size=4)


def leaf_keys(data: Any, path: KeyPath = ()) -> list[KeyPath]:
    """Every path that ends in a dict key whose value is not a table."""
    found: list[KeyPath] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, dict | list) and (
                isinstance(value, dict) or (value and isinstance(value[0], dict))
            ):
                found.extend(leaf_keys(value, (*path, key)))
            else:
                found.append((*path, key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            found.extend(leaf_keys(item, (*path, index)))
    return found


@settings(max_examples=150, deadline=None)
@given(documents)
def test_every_key_tomlkit_writes_is_located_on_a_line_that_names_it(data: dict) -> None:
    text = tomlkit.dumps(data)
    found = locate_keys(text)
    text_lines = text.splitlines()

    # The oracle is tomllib (the standard library's spec-compliant parser): tomlkit itself
    # mis-reads some nested arrays of tables (e.g. [["é"."é".name]] inside an [["é"]] entry
    # becomes a list of tables at "é"."é"), where our line finder agrees with tomllib.
    for path in leaf_keys(tomllib.loads(text)):
        line = found.lines.get(path)
        assert line is not None, (path, text)
        key = str(path[-1])
        written = (
            key
            if re.fullmatch(r"[A-Za-z0-9_-]+", key)
            else json.dumps(key, ensure_ascii=False)[1:-1]
        )
        assert written in text_lines[line - 1], (path, line, text)
