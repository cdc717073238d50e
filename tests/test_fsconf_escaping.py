"""Any operator or number name survives the trip into FreeSWITCH XML and back."""

from __future__ import annotations

import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from test_fsconf_centers import CENTERS, write_center

from ccore.fsconf.inputs import plain_text
from ccore.fsconf.render import build_files
from ccore.fsconf.xmlgen import elem, render_document

NAMES = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1, max_size=80,
).filter(lambda name: name.strip() != "")


@settings(max_examples=60, deadline=None)
@given(operator=NAMES | st.sampled_from(["\ufffe x", 'Tom & "Jerry" <b>', "a\x01b"]),
       number=NAMES)
def test_names_with_any_characters_render_to_well_formed_xml(operator: str, number: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        center = write_center(Path(scratch), CENTERS["one_operator"]())
        center.model.operators[0].name = operator
        center.model.numbers[0].name = number
        files = build_files(center)
    user = ET.fromstring(files["directory/default/1001.xml"])
    names = [v.get("value") for v in user.iter("variable")
             if v.get("name") == "effective_caller_id_name"]
    assert names == [plain_text(operator)]
    public = ET.fromstring(files["dialplan/public.xml"])
    data = [action.get("data") for action in public.iter("action")]
    assert f"ccore_number_name={plain_text(number)}" in data
    for text in files.values():
        ET.fromstring(text)


@given(value=st.text(max_size=200))
def test_any_attribute_value_parses_back_without_its_unrepresentable_characters(
        value: str) -> None:
    text = render_document(elem("param", [("name", "x"), ("value", value)]))
    parsed = ET.fromstring(text).get("value")
    representable = "".join(ch for ch in value if ch in "\t\n\r" or (
        ch >= " " and ch not in "\ufffe\uffff" and not "\ud800" <= ch <= "\udfff"))
    assert parsed == representable
