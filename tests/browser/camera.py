"""A fake camera for the browser: Chromium plays a Y4M video file as the webcam
(``--use-file-for-fake-video-capture``), so a test can hold a machine's QR label up to it."""

from pathlib import Path

import segno

WIDTH, HEIGHT = 640, 480


def qr_label_video(payload: str, path: Path, *, module_px: int = 8) -> Path:
    """Write a one-frame Y4M (grey, 4:2:0) of ``payload``'s QR code, black on white, centred."""
    matrix = segno.make(payload, error="m", micro=False).matrix
    size = len(matrix) * module_px
    left, top = (WIDTH - size) // 2, (HEIGHT - size) // 2
    assert left > 4 * module_px and top > 4 * module_px, "the code and its quiet zone must fit"
    luma = bytearray(b"\xff" * (WIDTH * HEIGHT))
    for row_number, row in enumerate(matrix):
        for column, dark in enumerate(row):
            if not dark:
                continue
            for dy in range(module_px):
                start = (top + row_number * module_px + dy) * WIDTH + left + column * module_px
                luma[start : start + module_px] = b"\x00" * module_px
    chroma = b"\x80" * (WIDTH // 2 * HEIGHT // 2)
    header = f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + b"FRAME\n" + bytes(luma) + chroma + chroma)
    return path
