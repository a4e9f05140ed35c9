"""Run one ntc-templates TextFSM template over text, with the template compiled once.

ntc-templates' own `parse_output` re-reads its index and re-compiles the
template on every call; parsing thousands of files makes that the cost, so
each thread keeps one compiled `TextFSM` per template and resets it between
uses. Reading the packaged template files is the only I/O here (once per
template per thread); nothing else touches the file system.
"""

from __future__ import annotations

import functools
import io
import threading
from importlib import resources
from typing import Any

import textfsm


class TemplateError(Exception):
    """The template rejected a line of the output (an `Error` rule fired)."""

    def __init__(self, template: str, line: str) -> None:
        super().__init__(f"{template}: unexpected line {line!r}")
        self.template = template
        self.line = line


@functools.lru_cache(maxsize=64)
def _template_text(name: str) -> str:
    return (resources.files("ntc_templates") / "templates" / f"{name}.textfsm").read_text(
        encoding="utf-8"
    )


_local = threading.local()


def _fsm(name: str) -> Any:
    cache: dict[str, Any] | None = getattr(_local, "cache", None)
    if cache is None:
        cache = {}
        _local.cache = cache
    fsm = cache.get(name)
    if fsm is None:
        fsm = textfsm.TextFSM(io.StringIO(_template_text(name)))
        cache[name] = fsm
    else:
        fsm.Reset()
    return fsm


def run_template(name: str, text: str) -> list[dict[str, Any]]:
    """Records from template `name` (e.g. "cisco_ios_show_version"), keys lower-case.

    Raises `TemplateError` naming the offending line when the template's
    `Error` rule rejects the text.
    """
    fsm = _fsm(name)
    try:
        rows = fsm.ParseText(text)
    except textfsm.TextFSMError as exc:
        message = str(exc)
        line = message.split("Input Line:", 1)[-1].strip() if "Input Line:" in message else message
        raise TemplateError(name, line[:120]) from None
    header = [h.lower() for h in fsm.header]
    return [dict(zip(header, row, strict=True)) for row in rows]
