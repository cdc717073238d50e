"""Cross-reference checks of a center.toml that is valid section by section.

Every route, option, overflow and closed action must point at a menu, queue, extension,
voicemail box or hours that exist; names and extensions are unique; feature codes do not
collide with extensions. Each problem comes back with the key path it is about.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ccore.config_lines import KeyPath
from ccore.config_routing import (
    CallbackAction,
    QueueAction,
    SubmenuAction,
    TransferAction,
    VoicemailAction,
)
from ccore.config_schema import CenterModel

Reference = tuple[KeyPath, str]


def find_reference_problems(model: CenterModel) -> list[Reference]:
    """Return every dangling reference or duplicate in ``model`` as (key path, message)."""
    return [
        *_duplicates(model),
        *_numbers(model),
        *_queues(model),
        *_menus(model),
        *_hours(model),
        *_feature_codes(model),
        *_others(model),
    ]


def _action(model: CenterModel, path: KeyPath, action: object) -> Iterator[Reference]:
    """Check what one action (option, default, closed, overflow) points at."""
    if isinstance(action, SubmenuAction) and action.menu not in model.ivr:
        yield (*path, "menu"), f"no IVR menu [ivr.{action.menu}]{_known(model.ivr)}"
    elif isinstance(action, QueueAction | CallbackAction):
        queue = model.queue(action.queue)
        if queue is None:
            yield (*path, "queue"), f'no queue named "{action.queue}"{_known(_queue_names(model))}'
        elif isinstance(action, CallbackAction) and not queue.callback.enabled:
            yield (*path, "queue"), f'queue "{action.queue}" does not have callback.enabled = true'
    elif isinstance(action, TransferAction) and model.operator(action.extension) is None:
        yield (*path, "extension"), f"no operator with extension {action.extension}"
    elif isinstance(action, VoicemailAction) and not _is_box(model, action.box):
        yield (*path, "box"), f'no voicemail box "{action.box}" ([voicemail.<box>] or an extension)'


def _hours_ref(model: CenterModel, path: KeyPath, name: str | None) -> Iterator[Reference]:
    if name is not None and name not in model.hours:
        yield path, f"no opening hours [hours.{name}]{_known(model.hours)}"


def _duplicates(model: CenterModel) -> Iterator[Reference]:
    for section, key, values in (
        ("operators", "extension", [op.extension for op in model.operators]),
        ("queues", "name", [queue.name for queue in model.queues]),
        ("trunks", "name", [trunk.name for trunk in model.trunks]),
        ("numbers", "number", [number.number for number in model.numbers]),
    ):
        first: dict[str, int] = {}
        for index, value in enumerate(values):
            if value in first:
                yield (
                    (section, index, key),
                    f'duplicate {key} "{value}" (also {section}[{first[value]}])',
                )
            else:
                first[value] = index
    for name in model.voicemail:
        if model.operator(name) is not None:
            yield ("voicemail", name), f"voicemail box {name} is also an operator's extension"


def _numbers(model: CenterModel) -> Iterator[Reference]:
    trunks = {trunk.name for trunk in model.trunks}
    for index, number in enumerate(model.numbers):
        path: KeyPath = ("numbers", index)
        if number.ivr is not None and number.ivr not in model.ivr:
            yield (*path, "ivr"), f"no IVR menu [ivr.{number.ivr}]{_known(model.ivr)}"
        if number.queue is not None and model.queue(number.queue) is None:
            yield (
                (*path, "queue"),
                f'no queue named "{number.queue}"{_known(_queue_names(model))}',
            )
        if number.extension is not None and model.operator(number.extension) is None:
            yield (*path, "extension"), f"no operator with extension {number.extension}"
        if number.trunk is not None and number.trunk not in trunks:
            yield (*path, "trunk"), f'no trunk named "{number.trunk}"'
        yield from _hours_ref(model, (*path, "hours"), number.hours)
        yield from _action(model, (*path, "closed"), number.closed)
        fallback = number.fallback
        if fallback.ring != "all":
            for ring_index, extension in enumerate(fallback.ring):
                if model.operator(extension) is None:
                    yield (
                        (*path, "fallback", "ring", ring_index),
                        f"no operator with extension {extension}",
                    )
        if fallback.voicemail is not None and not _is_box(model, fallback.voicemail):
            yield (*path, "fallback", "voicemail"), f'no voicemail box "{fallback.voicemail}"'


def _queues(model: CenterModel) -> Iterator[Reference]:
    for index, queue in enumerate(model.queues):
        path: KeyPath = ("queues", index)
        yield from _hours_ref(model, (*path, "hours"), queue.hours)
        yield from _action(model, (*path, "closed"), queue.closed)
        yield from _action(model, (*path, "overflow"), queue.overflow)
        if isinstance(queue.overflow, QueueAction) and queue.overflow.queue == queue.name:
            yield (*path, "overflow", "queue"), "a queue cannot overflow into itself"
        for tier_index, tier in enumerate(queue.tiers):
            for member_index, extension in enumerate(tier):
                if model.operator(extension) is None:
                    yield (
                        (*path, "tiers", tier_index, member_index),
                        f"no operator with extension {extension}",
                    )
        for step_index, step in enumerate(queue.escalation):
            if step.tier is not None and step.tier > max(len(queue.tiers), 1):
                yield (
                    (*path, "escalation", step_index, "tier"),
                    f"queue has {len(queue.tiers)} tiers; got tier {step.tier}",
                )


def _menus(model: CenterModel) -> Iterator[Reference]:
    for name, menu in model.ivr.items():
        path: KeyPath = ("ivr", name)
        yield from _hours_ref(model, (*path, "hours"), menu.hours)
        yield from _action(model, (*path, "default"), menu.default)
        yield from _action(model, (*path, "closed"), menu.closed)
        for key, option in menu.options.items():
            yield from _action(model, (*path, "options", key), option)
            if isinstance(option, SubmenuAction) and option.menu == name:
                yield (*path, "options", key, "menu"), 'use action = "repeat" to replay this menu'


def _hours(model: CenterModel) -> Iterator[Reference]:
    for name, hours in model.hours.items():
        yield from _action(model, ("hours", name, "closed"), hours.closed)


def _feature_codes(model: CenterModel) -> Iterator[Reference]:
    codes = model.feature_codes.codes()
    for index, operator in enumerate(model.operators):
        for key, code in codes.items():
            if operator.extension == code or (
                key == "break" and operator.extension.startswith(code)
            ):
                yield (
                    ("operators", index, "extension"),
                    f"extension {operator.extension} collides with feature code {key} ({code})",
                )


def _others(model: CenterModel) -> Iterator[Reference]:
    for queue in model.recording.queues:
        if model.queue(queue) is None:
            yield ("recording", "queues", queue), f'no queue named "{queue}"'
    trunks = {trunk.name for trunk in model.trunks}
    if model.dialing.trunk is not None and model.dialing.trunk not in trunks:
        yield ("dialing", "trunk"), f'no trunk named "{model.dialing.trunk}"'


SOUND_KEYS = frozenset(
    {"greeting", "invalid_prompt", "timeout_prompt", "message", "file", "music", "announcement"}
)


def sound_files(data: object, path: KeyPath = ()) -> list[tuple[KeyPath, str]]:
    """Return every sound file (not a built-in tone) named in center.toml data, with its key."""
    found: list[tuple[KeyPath, str]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key in SOUND_KEYS and isinstance(value, str):
                if not value.startswith(("tone:", "silence:")):
                    found.append(((*path, key), value))
            else:
                found.extend(sound_files(value, (*path, key)))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            found.extend(sound_files(item, (*path, index)))
    return found


def _is_box(model: CenterModel, box: str) -> bool:
    return box in model.voicemail or model.operator(box) is not None


def _queue_names(model: CenterModel) -> list[str]:
    return [queue.name for queue in model.queues]


def _known(names: Iterable[str]) -> str:
    listed = sorted(names)
    return f" (known: {', '.join(listed)})" if listed else " (none defined)"
