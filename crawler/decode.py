"""Decoding: bytes of a fetched page -> text, with charset repair and warnings."""

from __future__ import annotations

import codecs
import re

from crawler.records import RecordWarning, WarningKind


_BOMS = [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")]
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


# UTF-8 read as cp1252/latin-1: a lead byte (Ã, Â, â, ...) then continuation-range chars
_MOJIBAKE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]+"
)


def looks_like_html(body: bytes | str | None) -> bool:
    """Cheap check for the spider: is this body an HTML page at all (not empty, binary, PDF)?"""
    if not body:
        return False
    head = body[:2048]
    if isinstance(head, str):
        head = head.encode("utf-8", "replace")
    if head.startswith((b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b")):
        return False
    for bom, enc in _BOMS:
        if head.startswith(bom):
            head = head.decode(enc, "replace").encode("utf-8", "replace")
            break
    if head.count(b"\x00") > 2:
        return False
    return bool(re.search(rb"<(?:!doctype\s+html|html|head|body|title|meta|div|p|article)\b", head, re.IGNORECASE))


def _may_hold_mojibake(text: str) -> bool:
    """Can ``_MOJIBAKE`` match? Its runs open with a character from U+00C2 to U+00F4, whose
    UTF-8 opens with the byte C3 (no other character's UTF-8 holds that byte): an ASCII
    text (known without a scan) or one whose UTF-8 lacks it (a fast byte search) has none.
    The regex's own scan tests a character class at every position, 5 ns a character."""
    return not text.isascii() and b"\xc3" in text.encode("utf-8", "surrogatepass")


def _fix_mojibake(text: str) -> tuple[str, int]:
    """Undo UTF-8 bytes that were decoded as cp1252/latin-1, run by run."""
    fixed = 0

    def repair(m: re.Match) -> str:
        nonlocal fixed
        run = m.group(0)
        raw = bytearray()
        for ch in run:
            try:
                raw += ch.encode("cp1252")
            except UnicodeEncodeError:
                if ord(ch) > 255:
                    return run
                raw.append(ord(ch))
        try:
            out = raw.decode("utf-8")
        except UnicodeDecodeError:
            return run
        fixed += 1
        return out

    return _MOJIBAKE.sub(repair, text), fixed


# Codecs Python has that are no character encoding of a web page: they transform text
# (idna, punycode, the escapes) or browsers refuse them (utf-7). Codecs that are not
# text encodings at all (base64, rot13, zlib, hex, ...) CodecInfo tells apart itself.
_NOT_PAGE_CHARSETS = {"idna", "punycode", "unicode-escape", "raw-unicode-escape", "undefined", "utf-7"}
_LATIN1_LABELS = ("latin-1", "iso8859-1", "ascii")  # browsers read these as windows-1252


def text_charset(label: str | None) -> str | None:
    """Python's codec name for a declared charset label, or None when the label names no
    character encoding a web page can be decoded with: unknown (``bogus``), not a text
    encoding (``base64``, ``rot13``) or a text transform (``idna``)."""
    if not label:
        return None
    try:
        info = codecs.lookup(label.strip())
    except (LookupError, TypeError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_PAGE_CHARSETS:
        return None
    return info.name


def _codec_key(label: str) -> str:
    try:
        return codecs.lookup(label.strip()).name
    except (LookupError, TypeError, ValueError):
        return label.strip().lower()


def _unusable(label: str) -> str:
    try:
        codecs.lookup(label.strip())
    except (LookupError, TypeError, ValueError):
        return f"unknown charset {label!r}"
    return f"charset {label!r} is no character encoding for a web page"


def decode_html(body: bytes | str, encoding: str | None = None) -> tuple[str, list[RecordWarning]]:
    """Decode a body to text; repair a wrong declared charset and mojibake, with warnings.

    Order: BOM, the given (HTTP) encoding, the ``<meta charset>``, UTF-8, then
    charset-normalizer's guess. A charset that fails strictly is reported; so is a
    declared one that names no usable encoding (unknown, or a codec such as base64 or
    rot13: passed over), and so is repaired mojibake. Whatever a page declares, this
    does not raise.
    """
    warnings: list[RecordWarning] = []
    if isinstance(body, str):
        text = body
    else:
        text = None
        for bom, enc in _BOMS:
            if body.startswith(bom):
                text = body[len(bom):].decode(enc, "replace")
                break
        if text is None:
            labels = []
            if encoding:
                labels.append(encoding)
            m = _META_CHARSET.search(body[:4096])
            if m:
                labels.append(m.group(1).decode("ascii", "ignore"))
            declared: list[tuple[str, str]] = []  # (label as written, codec) of the usable ones
            unusable: set[str] = set()
            for label in labels:
                codec = text_charset(label)
                if codec is not None:
                    declared.append((label, codec))
                elif _codec_key(label) not in unusable:  # said once when the header and <meta> agree
                    unusable.add(_codec_key(label))
                    warnings.append(RecordWarning(kind=WarningKind.ENCODING, message=_unusable(label)))
            tried = []
            # windows-1252 is what browsers fall back to for Western pages
            for name in [codec for _, codec in declared] + ["utf-8", "cp1252"]:
                if name in tried:
                    continue
                tried.append(name)
                if name in _LATIN1_LABELS:
                    name = "cp1252"  # what browsers do with these labels
                try:
                    text = body.decode(name)
                except (UnicodeError, LookupError):  # UnicodeError: a codec's own complaint too
                    continue
                if declared and name != declared[0][1] and not (
                        name == "cp1252" and declared[0][1] in _LATIN1_LABELS):
                    warnings.append(RecordWarning(
                        kind=WarningKind.ENCODING,
                        message=f"declared charset {declared[0][0]!r} does not decode the page; read as {name}",
                    ))
                elif not declared and labels:  # only unusable ones: say what was used instead
                    warnings[-1] = RecordWarning(kind=WarningKind.ENCODING,
                                                 message=f"{warnings[-1].message}; read as {name}")
                break
            if text is None:
                from charset_normalizer import from_bytes

                best = from_bytes(body).best()
                if best is not None and best.encoding:
                    text = str(best)
                    warnings.append(RecordWarning(
                        kind=WarningKind.ENCODING,
                        message=f"charset {declared[0][0] if declared else 'undeclared'!r} does not decode the "
                                f"page; guessed {best.encoding}",
                    ))
                else:
                    text = body.decode("utf-8", "replace")
                    warnings.append(RecordWarning(kind=WarningKind.ENCODING, message="undecodable bytes replaced"))
    if "\x00" in text:
        text = text.replace("\x00", "")
    if _may_hold_mojibake(text) and _MOJIBAKE.search(text):
        text, fixed = _fix_mojibake(text)
        if fixed:
            warnings.append(RecordWarning(
                kind=WarningKind.ENCODING, message=f"repaired {fixed} mojibake sequence(s) (UTF-8 read as cp1252)",
            ))
    return text, warnings
