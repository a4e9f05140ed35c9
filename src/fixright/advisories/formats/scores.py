"""CVSS scores and remediations, as CSAF, CVRF and openVuln publish them. PURE.

Vectors are read with the `cvss` package (RedHat's reference implementation of
the CVSS 2, 3.x and 4.0 specifications): a vector that reads gives the base
score when the document has none; one that does not read is a quirk, and the
document's own score is kept.
"""

from __future__ import annotations

from cvss import CVSS2, CVSS3, CVSS4
from cvss.exceptions import CVSSError

from fixright.advisories.formats.common import Problems, score_of, severity_word, text_of
from fixright.advisories.records import CvssScore

# CVRF 1.x remediation types -> the CSAF 2.0 categories.
CVRF_REMEDIATION_TYPES = {
    "workaround": "workaround",
    "mitigation": "mitigation",
    "vendor fix": "vendor_fix",
    "none available": "none_available",
    "will not fix": "no_fix_planned",
}


def _version_of(vector: str | None, hint: str) -> str:
    if vector is not None:
        head = vector.split("/", 1)[0]
        if head.upper().startswith("CVSS:"):
            return head[5:]
    return hint


def read_cvss(
    hint: str,
    vector: object,
    base_score: object,
    base_severity: object,
    where: str,
    problems: Problems,
) -> CvssScore | None:
    """One score; `hint` is the version the container implies (`2.0`, `3.1`, `4.0`)."""
    vector_text = text_of(vector)
    score = score_of(base_score)
    version = _version_of(vector_text, hint)
    severity = severity_word(base_severity)
    if vector_text is not None:
        try:
            if version.startswith("2"):
                parsed2 = CVSS2(vector_text)
                computed, vector_text = float(parsed2.base_score), parsed2.clean_vector()
            elif version.startswith("4"):
                parsed4 = CVSS4(vector_text)
                computed, vector_text = float(parsed4.base_score), parsed4.clean_vector()
                severity = severity or severity_word(parsed4.severity)
            else:
                parsed3 = CVSS3(vector_text)
                computed, vector_text = float(parsed3.base_score), parsed3.clean_vector()
                severity = severity or severity_word(parsed3.severities()[0])
        except (CVSSError, ValueError, KeyError, IndexError):
            problems.quirk(
                "unreadable CVSS vector",
                where,
                f"CVSS vector {vector_text!r} does not read as CVSS {version}; the stated score is kept",
            )
        else:
            if score is None:
                score = computed
    if score is None and vector_text is None:
        return None
    return CvssScore(version=version, base_score=score, vector=vector_text, severity=severity)


def headline_score(scores: list[CvssScore]) -> float | None:
    """The one number fixright shows: the highest CVSS 3.x base score, else 2.0, else 4.0
    (the order the `cvss` column has always had, so stored records keep their meaning)."""
    for prefix in ("3", "2", "4"):
        values = [s.base_score for s in scores if s.version.startswith(prefix) and s.base_score is not None]
        if values:
            return max(values)
    return None
