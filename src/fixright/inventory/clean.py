"""Make a pasted terminal capture look like the output a template expects. PURE.

Engineers paste what their terminal shows: the prompt and the command they
typed, pager prompts and the backspaces that erase them, colour escapes,
CRLF line ends, a timestamp their terminal logger put before every line, and
often several commands one after another. Templates reject or misread all of
that, so it goes before any template runs. Each removal is recorded (line
number, kind, text) for verbose output, and the capture is cut into one part
per echoed command.

    >>> cleaned = clean_output("core1#show version\\r\\nCisco IOS Software, ...\\r\\ncore1#")
    >>> [p.command for p in cleaned.parts], [r.kind for r in cleaned.removed]
    (['show version'], ['prompt', 'prompt'])
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

__all__ = ["Cleaned", "Part", "Removed", "clean_output"]


@dataclass(frozen=True)
class Removed:
    """Something taken out of the capture: 1-based line in the original, kind, the text removed."""

    line: int
    # "prompt", "echo", "pager", "ansi", "timestamp", "carriage-return", "backspace", "indent", "comment"
    kind: str
    text: str


@dataclass(frozen=True)
class Part:
    """One command's output; `command` is the command echoed before it ("" when none was)."""

    command: str
    text: str


@dataclass(frozen=True)
class Cleaned:
    parts: tuple[Part, ...]
    removed: tuple[Removed, ...]

    @property
    def text(self) -> str:
        """All parts joined: the capture without prompts, echoes and terminal artefacts."""
        return "\n".join(part.text for part in self.parts)


_ANSI = re.compile(r"\x1b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[()][A-Za-z0-9]|[=>78cDEHM])")
_BACKSPACE_PAIR = re.compile(r"[^\n\x08]\x08")
# Pager prompts left in a capture: IOS/ASA/FortiOS "--More--", NX-OS/ASA "<--- More --->",
# Junos "---(more 45%)---", ArubaOS-Switch "-- MORE --, next page: ...".
_PAGER = re.compile(
    r"[ \t]*(?:<-+ ?More ?-+>|-{2,3}\(more(?: \d+%)?\)-{2,3}|--+ ?MORE ?--+,? next page: Space, "
    r"next line: Enter, quit: Control-C|-{1,2} ?More ?-{1,2}|\(END\))[ \t]*",
    re.IGNORECASE,
)
_PAGER_HINT = re.compile(r"-[ (]?more|\(END\)", re.IGNORECASE)
# A timestamp a terminal logger puts before each line (SecureCRT, MobaXterm, ts, PuTTY scripts).
_TIMESTAMP = re.compile(
    r"^(?:\[\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d+)?\]"
    r"|\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?"
    r"|\[\d\d:\d\d:\d\d(?:[.,]\d+)?\]"
    r"|\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\])[ \t]?"
)
# Commands whose echo (with or without a prompt) starts a new part of the capture.
_COMMAND = (
    r"(?:sh(?:o(?:w)?)?|display|dis|get|admin|run|terminal|term|exec(?:ute)?|diagnose|set cli|"
    r"screen-length|no page|page|more|enable|en|exit|end|config|show\S*)"
)
_PROMPT = re.compile(
    r"^(?P<prompt>"
    r"(?:\{[\w:]+\}|\[edit(?:[ \t][^\]\n]*)?\])"  # Junos context lines on their own
    r"|<[\w.\-/]{1,80}>"  # Comware
    r"|>"  # FTD's CLISH
    # FortiADC puts the unit's HA role before its name: "(P) adc1 # ", "(S) adc1 # ".
    r"|(?:\([A-Z]\)[ \t])?(?:[\w.\-]+@)?[A-Za-z0-9][\w.\-/:~]{0,79}(?:[ \t]?\([\w.\-/:]+\))?[ \t]?[#>]"
    r")[ \t]*(?:do[ \t]+)?(?P<command>(?:" + _COMMAND + r")\b[^\n]*|)$",
    re.IGNORECASE,
)
# A command echoed without a prompt (copied from a log of commands sent).
_ECHO = re.compile(
    r"^[ \t]*(?P<command>(?:show|sh|display|dis|admin show)[ \t]+[\w\- |:/.\"]{2,80}"
    r"|get system status)[ \t]*$"
)
_PROMPT_ANYWHERE = re.compile(_PROMPT.pattern.replace("$", "[ \\t\\r]*$"), re.IGNORECASE | re.MULTILINE)
_ECHO_ANYWHERE = re.compile(_ECHO.pattern, re.MULTILINE)
# Output lines that look like a bare prompt but are not one.
_NOT_PROMPT = re.compile(r"^(?:\d+[#>]|[A-Z][\w ]*:[ \t]*[#>])")


def _lines_with_timestamps(lines: list[str]) -> bool:
    non_empty = [line for line in lines if line.strip()]
    # A logger stamps every line: the first few tell.
    if not non_empty or not any(_TIMESTAMP.match(line) for line in non_empty[:5]):
        return False
    stamped = sum(1 for line in non_empty if _TIMESTAMP.match(line))
    return stamped * 10 >= len(non_empty) * 6


def _terminal_line(line: str) -> str:
    """The line as a terminal would show it: a carriage return starts over at column 0."""
    segments = line.split("\r")
    kept = [s for s in segments if s.strip()]
    if not kept:
        return segments[0] if len(segments) == 1 else ""
    if len(kept) == 1:
        return kept[0]
    # Later text overwrites earlier text from the start of the line.
    shown = kept[0]
    for segment in kept[1:]:
        shown = segment + shown[len(segment):]
    return shown


def _command_name(command: str) -> str:
    return " ".join(command.split())


_FIRST_TEXT = re.compile(r"^[ \t]*\S", re.MULTILINE)


# A configuration backup (Oxidized, RANCID) keeps the `show version` it took as comments:
# every line behind "! " (or a bare "!" for an empty line).
_COMMENT_PREFIX = re.compile(r"^!(?: |$)", re.MULTILINE)


def _uncommented(part: Part, removed: list[Removed]) -> Part:
    """`part` without the "! " every one of its lines starts with, if they all do."""
    lines = [line for line in part.text.split("\n") if line.strip()]
    if not lines or not all(_COMMENT_PREFIX.match(line) for line in lines):
        return part
    if not any(line[2:].strip() for line in lines):
        return part
    removed.append(Removed(0, "comment", "the '! ' every line starts with (a configuration backup)"))
    return Part(part.command, _COMMENT_PREFIX.sub("", part.text))


def _dedented(part: Part, removed: list[Removed]) -> Part:
    """`part` without the indentation every one of its lines shares.

    Output pasted into a mail, a ticket or a document's code block comes back
    indented as a whole; templates anchor their lines at column 0 and refuse
    all of it. Only indentation common to every non-blank line goes, so the
    output's own layout (indented detail lines) is kept.
    """
    first = _FIRST_TEXT.search(part.text)
    if first is None or first.end() - first.start() == 1:  # the first line starts at column 0
        return part
    text = textwrap.dedent(part.text)
    if text == part.text:
        return part
    removed.append(Removed(0, "indent", "the indentation shared by every line"))
    return Part(part.command, text)


def clean_output(text: str) -> Cleaned:
    """`text` without prompts, echoes, pager prompts, escapes, CRs and logger timestamps.

    Returns the cleaned parts (one per echoed command; a capture without
    echoes is one part) and what was removed.
    """
    removed: list[Removed] = []
    if "\x1b" in text:
        for match in _ANSI.finditer(text):
            removed.append(Removed(text.count("\n", 0, match.start()) + 1, "ansi", match.group()))
        text = _ANSI.sub("", text)
    if "\x08" in text:
        before = text
        while True:
            text, count = _BACKSPACE_PAIR.subn("", text)
            if not count:
                break
        text = text.replace("\x08", "")
        removed.append(Removed(0, "backspace", f"{len(before) - len(text)} characters erased"))
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    has_cr = "\r" in text
    head = text[:20000].split("\n")[:200]
    stamped = _lines_with_timestamps(head)
    pager = _PAGER_HINT.search(text) is not None
    prompts = any(c in text for c in "#>{") or "[edit" in text
    if not (has_cr or stamped or pager or (prompts and _PROMPT_ANYWHERE.search(text))
            or _ECHO_ANYWHERE.search(text)):
        # Nothing line by line to take out (most files saved by scripts): one part, as it is.
        if not text.strip():
            return Cleaned((), tuple(removed))
        return Cleaned((_dedented(_uncommented(Part("", text), removed), removed),), tuple(removed))
    lines = text.split("\n")
    parts: list[Part] = []
    command = ""
    current: list[str] = []
    for number, raw in enumerate(lines, start=1):
        line = raw
        if has_cr and "\r" in line:
            if line.endswith("\r") and line.count("\r") == 1:
                line = line[:-1]
            else:
                line = _terminal_line(line)
                removed.append(Removed(number, "carriage-return", raw.replace("\r", "\\r")))
        stamp = _TIMESTAMP.match(line) if stamped else None
        if stamp:
            removed.append(Removed(number, "timestamp", stamp.group().strip()))
            line = line[stamp.end():]
        if pager and _PAGER.search(line):
            stripped = _PAGER.sub("", line)
            removed.append(Removed(number, "pager", line.strip()))
            if not stripped.strip():
                continue
            line = stripped
        prompt = (
            _PROMPT.match(line.rstrip())
            if "#" in line or ">" in line or "[edit" in line or "{" in line
            else None
        )
        if prompt and not _NOT_PROMPT.match(line):
            removed.append(Removed(number, "prompt", line.rstrip()))
            echoed = _command_name(prompt.group("command"))
            if echoed or current:
                if any(c.strip() for c in current):
                    parts.append(Part(command, "\n".join(current)))
                current = []
                command = echoed
            continue
        echo = _ECHO.match(line) if line[:1] in " \tsSdgGa" else None
        if echo and not any(c.strip() for c in current[-1:]):
            removed.append(Removed(number, "echo", line.strip()))
            if any(c.strip() for c in current):
                parts.append(Part(command, "\n".join(current)))
            current = []
            command = _command_name(echo.group("command"))
            continue
        current.append(line)
    if any(c.strip() for c in current):
        parts.append(Part(command, "\n".join(current)))
    return Cleaned(tuple(_dedented(_uncommented(part, removed), removed) for part in parts), tuple(removed))
