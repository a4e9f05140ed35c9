"""The claim packet as a PDF, with ReportLab (the optional extra `claims`)."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from fixright.errors import ConfigurationError


def render_pdf(packet: dict[str, Any], *, compress: bool = True) -> bytes:
    """A one-page letter from the packet. `compress=False` keeps the text readable in the
    file (tests). `ConfigurationError` naming the extra when ReportLab is missing."""
    try:
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.styles import getSampleStyleSheet
        from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table
    except ImportError:
        raise ConfigurationError(
            "claim PDFs need ReportLab: pip install 'fixright[claims]'") from None

    styles = getSampleStyleSheet()
    device, advisory = packet.get("device", {}), packet.get("advisory", {})
    fix, policy = packet.get("first_fixed_release", {}), packet.get("policy", {})
    promise = packet.get("promise") or {}

    def para(text: Any, style: str = "BodyText") -> Paragraph:
        return Paragraph(escape(str(text if text is not None else "")), styles[style])

    rows = [["Owner", packet.get("owner")], ["Serial number", device.get("serial")],
            ["Product id (PID)", device.get("pid")], ["Hostname", device.get("hostname")],
            ["Running release", device.get("running_release")],
            ["Advisory", advisory.get("id")], ["Severity", advisory.get("severity")],
            ["CVEs", ", ".join(advisory.get("cves") or []) or "none listed"],
            ["First fixed release (same train)",
             f"{fix.get('version')}{' (inferred)' if fix.get('inferred') else ''}"],
            ["Date", packet.get("date")]]
    story: list[Any] = [
        para(f"Security fix request (claim {packet.get('claim', '')})", "Title"),
        para(f"{packet.get('owner')} owns the device below. It is exposed to "
             f"{advisory.get('id')} ({advisory.get('title')}) and asks for the fixed release "
             f"{fix.get('version')} in the train it runs."),
        Spacer(1, 8),
        Table([[para(k), para(v)] for k, v in rows], colWidths=[150, 330]),
        Spacer(1, 8),
    ]
    if advisory.get("url"):
        story.append(para(f"Advisory: {advisory['url']}"))
    if promise:
        story += [Spacer(1, 8), para(f"{promise.get('vendor')}'s published promise", "Heading3"),
                  para(f"From {promise.get('title')}, {promise.get('source_url')}:")]
        for key in ("quote", "quote_2"):
            if promise.get(key):
                story.append(para(f"\u201c{promise[key]}\u201d"))
        if promise.get("how"):
            story.append(para(promise["how"]))
    story += [Spacer(1, 8), para("Why the portal policy does not give it", "Heading3"),
              para(f"Policy {policy.get('name')}: {policy.get('decision')}")]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=f"Claim {packet.get('claim', '')}",
                            invariant=1, pageCompression=1 if compress else 0)
    doc.build(story)
    return buffer.getvalue()
