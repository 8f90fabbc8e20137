"""What a media file is, told from its first bytes (never from what a server said it is).

One place for that decision: the media fetch refuses an answer that is not a picture or a
video (:func:`is_media`), and the offline site names and shows a stored file by its type
(:func:`media_type`).
"""

from __future__ import annotations

__all__ = ["HEAD", "is_media", "media_type", "not_media_reason"]

HEAD = 32
"""Enough of a file's first bytes to tell its type."""

# ISO base media ("ftyp") brands: the mp4 and QuickTime ones a browser plays as video, and the
# still-image ones (HEIF): an AVIF is shown as a picture, a HEIC offered as a link (few
# browsers show one).
_VIDEO_BRANDS = (
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"dash",  # fragmented mp4 too
    b"mp41", b"mp42", b"avc1", b"M4V ", b"qt  ",
)  # fmt: skip
_AVIF_BRANDS = (b"avif", b"avis")
_HEIF_BRANDS = (b"heic", b"heix", b"mif1", b"msf1", b"hevc", b"heim", b"heis")


def media_type(head: bytes) -> tuple[str, str]:
    """The suffix of a stored file from its first bytes, and how a page shows it: ``img``,
    ``video``, or ``link`` (anything a browser does not show inline: it is offered to open or
    save, never served as a picture; ``.bin`` when its type is not known).

    Examples:
        >>> media_type(b"\\x89PNG\\r\\n\\x1a\\n....")
        ('.png', 'img')
        >>> media_type(b"\\x00\\x00\\x00\\x18ftypmp42"), media_type(b"\\x00\\x00\\x00\\x1cftypiso5")
        (('.mp4', 'video'), ('.mp4', 'video'))
        >>> media_type(b"\\x00\\x00\\x00\\x1cftypavif"), media_type(b"\\x00\\x00\\x00\\x18ftypheic")
        (('.avif', 'img'), ('.heic', 'link'))
        >>> media_type(b"\\x1aE\\xdf\\xa3webm"), media_type(b"<!doctype html>")
        (('.webm', 'link'), ('.bin', 'link'))
    """
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png", "img"
    if head.startswith(b"\xff\xd8\xff"):
        return ".jpg", "img"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return ".gif", "img"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return ".webp", "img"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _VIDEO_BRANDS:
            return ".mp4", "video"
        if brand in _AVIF_BRANDS:
            return ".avif", "img"
        if brand in _HEIF_BRANDS:
            return ".heic", "link"
    if head.startswith(b"\x1aE\xdf\xa3"):  # Matroska / WebM: not every browser plays it
        return ".webm", "link"
    return ".bin", "link"


def is_media(head: bytes) -> bool:
    """Whether a file starting with ``head`` is a picture or a video: a JPEG, PNG, GIF, WebP,
    any ISO base media file (mp4, QuickTime, AVIF, HEIC) or a Matroska/WebM file.

    Examples:
        >>> is_media(b"\\xff\\xd8\\xff\\xe0"), is_media(b"\\x00\\x00\\x00\\x18ftypdash")
        (True, True)
        >>> is_media(b"<!DOCTYPE html><html>"), is_media(b"")
        (False, False)
    """
    return media_type(head)[0] != ".bin" or head[4:8] == b"ftyp"


def not_media_reason(head: bytes) -> str:
    """Why a file starting with ``head`` is refused, quoting its first characters.

    Example:
        >>> not_media_reason(b"<!DOCTYPE html><html><head><title>Sign in</title>")
        'the answer is not a picture or a video: it starts with <!DOCTYPE html><html><he…'
    """
    if not head:
        return "the answer is not a picture or a video: it is empty"
    shown = head[:24].decode("ascii", "backslashreplace")
    shown = "".join(c if c.isprintable() else "?" for c in shown)
    return f"the answer is not a picture or a video: it starts with {shown}…"
