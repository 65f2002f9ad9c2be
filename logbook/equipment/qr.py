"""QR codes for equipment labels: the code opens the equipment's page on a phone or tablet."""

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(payload: str, *, scale: int = 4, title: str = "") -> SafeString:
    """Return an inline <svg> QR code of ``payload`` (error correction M survives a smudge)."""
    code = segno.make(payload, error="m", micro=False)
    # segno escapes the title; the SVG holds only paths, no script and no outside reference.
    return mark_safe(
        code.svg_inline(
            scale=scale, title=title or None, svgclass="qr", lineclass=None, border=2, omitsize=True
        )
    )
