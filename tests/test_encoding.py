"""Any bytes decode right: declared charset, BOM, no declaration, or a wrong declaration."""

from __future__ import annotations

import codecs
import random

import pytest

import threadkeep
from threadkeep import encoding

TEXT = "Café in Zürich – “naïve” façade, 5 € & Q&A"
JAPANESE = "スレッドを保存する。日本語のツイート"


def page(text: str, meta: str = "") -> str:
    return (
        f"<html><head>{meta}<title>Thread by @someone</title></head><body>"
        '<div id="tweet_1" class="content-tweet allow-preview" data-screenname="someone" '
        f'data-tweet="1300000000000000000">{text.replace("&", "&amp;")}'
        '<sup class="tw-permalink"><i class="fas fa-link"></i></sup></div></body></html>'
    )


def first_text(data: bytes) -> str | None:
    thread = threadkeep.parse(data)
    assert isinstance(thread, threadkeep.Thread)
    return thread.tweets[0].text


@pytest.mark.parametrize(
    ("label", "data", "expected"),
    [
        ("utf-8, no declaration", page(TEXT).encode("utf-8"), TEXT),
        (
            "windows-1252 declared in meta charset",
            page(TEXT, '<meta charset="windows-1252">').encode("cp1252"),
            TEXT,
        ),
        (
            "windows-1252 declared in http-equiv",
            page(
                TEXT, '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
            ).encode("cp1252"),
            TEXT,
        ),
        (
            "utf-8 bytes, page wrongly declares iso-8859-1",
            page(TEXT, '<meta charset="iso-8859-1">').encode("utf-8"),
            TEXT,
        ),
        (
            "windows-1252 bytes, page wrongly declares utf-8",
            page(TEXT, '<meta charset="utf-8">').encode("cp1252"),
            TEXT,
        ),
        ("windows-1252, no declaration", page(TEXT).encode("cp1252"), TEXT),
        ("utf-8 with BOM", codecs.BOM_UTF8 + page(TEXT).encode("utf-8"), TEXT),
        ("utf-16 with BOM", page(TEXT).encode("utf-16"), TEXT),
        (
            "shift_jis declared",
            page(JAPANESE, '<meta charset="shift_jis">').encode("shift_jis"),
            JAPANESE,
        ),
    ],
)
def test_bytes_decode_right(label: str, data: bytes, expected: str) -> None:
    assert first_text(data) == expected, label


def test_text_copy_in_windows_1252() -> None:
    copy = f"{TEXT}\n• • •\nKeep Current with Someone\n".encode("cp1252")
    thread = threadkeep.parse(copy)
    assert isinstance(thread, threadkeep.Thread)
    assert thread.tweets[0].text == TEXT


def test_str_input_is_accepted() -> None:
    assert first_text(page(TEXT).encode()) == TEXT
    thread = threadkeep.parse(page(TEXT))
    assert isinstance(thread, threadkeep.Thread)
    assert thread.tweets[0].text == TEXT


RUSSIAN = "Ревью книги «Элегантные объекты» — спасибо!"


@pytest.mark.parametrize(
    ("label", "text", "codec", "meta"),
    [
        ("windows-1251 in <meta charset>", RUSSIAN, "cp1251", '<meta charset="windows-1251">'),
        (
            "KOI8-R in http-equiv",
            "Ревью книги: спасибо!",
            "koi8_r",
            '<meta http-equiv="Content-Type" content="text/html; charset=KOI8-R">',
        ),
        ("EUC-JP declared", JAPANESE, "euc_jp", '<meta charset="EUC-JP">'),
        ("Shift_JIS declared", JAPANESE, "shift_jis", '<meta charset="Shift_JIS">'),
        ("ISO-2022-JP declared", JAPANESE, "iso2022_jp", '<meta charset="ISO-2022-JP">'),
        # Its escape sequences name it: the bytes are 7-bit, valid UTF-8 as they stand.
        ("ISO-2022-JP undeclared", JAPANESE, "iso2022_jp", ""),
        ("GB18030 declared", "保存这个帖子，以免被删除", "gb18030", '<meta charset="gb2312">'),
        # Browsers read "iso-8859-1" as windows-1252: its curly quotes and euro sign stay.
        ("iso-8859-1 meaning windows-1252", TEXT, "cp1252", '<meta charset="iso-8859-1">'),
    ],
)
def test_declared_charset_is_honoured(label: str, text: str, codec: str, meta: str) -> None:
    data = page(text, meta).encode(codec)
    assert first_text(data) == text, label


def test_a_stale_declaration_does_not_beat_utf8() -> None:
    # A page re-saved as UTF-8 by a browser that kept the old <meta>.
    data = page(RUSSIAN, '<meta charset="windows-1251">').encode("utf-8")
    assert first_text(data) == RUSSIAN


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        (RUSSIAN, "cp1251"),
        ("Ревью книги: спасибо за эту прекрасную книгу!", "koi8_r"),
        ("Η κυβέρνηση ανακοίνωσε σήμερα νέα μέτρα για την οικονομία", "cp1253"),
        ("أعلنت الحكومة اليوم عن إجراءات جديدة لدعم الاقتصاد الوطني", "cp1256"),
        ("הממשלה הודיעה היום על צעדים חדשים לתמיכה בכלכלה", "cp1255"),
        (JAPANESE, "euc_jp"),
        (JAPANESE, "shift_jis"),
        ("保存这个帖子，以免被删除，政府今天宣布了新措施", "gb18030"),
        ("政府今天宣布了支持經濟和公民的新措施，涵蓋全國", "big5"),
        ("정부는 오늘 경제와 시민을 지원하기 위한 새로운 조치를 발표했습니다", "euc_kr"),
    ],
    ids=lambda value: value if value.isascii() else "",
)
def test_undeclared_non_latin_text_is_recognised(text: str, codec: str) -> None:
    # Saved fragments and clipboard copies carry no <meta>; windows-1252 would read them
    # all (it decodes nearly every byte) as mojibake.
    assert first_text(page(text).encode(codec)) == text


@pytest.mark.parametrize(
    "text",
    [
        TEXT,
        "Straße, Größe, Übermaß: äöü ÄÖÜ ß " * 20,
        "Ações, informações e eleições à noite, até já " * 20,
        "Ça a été l'été où « la fête » a coûté cher — voilà " * 20,
    ],
    ids=["mixed", "german", "portuguese", "french"],
)
def test_undeclared_western_text_stays_windows_1252(text: str) -> None:
    assert first_text(page(text).encode("cp1252")) == text.strip()


def test_bytes_windows_1252_leaves_undefined_are_replaced_not_fatal() -> None:
    # 0x81 is undefined in windows-1252: the rest of the page is still read whole.
    data = page(TEXT).encode("cp1252").replace(b"Caf\xe9", b"Caf\xe9\x81")
    assert first_text(data) == TEXT.replace("Café", "Café\ufffd")


@pytest.mark.parametrize(
    ("label", "text", "meta"),
    [
        ("Western, undeclared", TEXT, ""),
        ("Japanese, undeclared", JAPANESE, ""),
        ("Russian, declared utf-8", RUSSIAN, '<meta charset="utf-8">'),
        # A stale declaration does not win over UTF-8 cut short, as over whole UTF-8.
        ("Russian, stale windows-1251 declaration", RUSSIAN, '<meta charset="windows-1251">'),
    ],
)
def test_utf8_cut_inside_its_last_character_is_still_utf8(label: str, text: str, meta: str) -> None:
    # A download stopped mid-character: the page before the cut must not turn to mojibake.
    data = page(text, meta).encode("utf-8")
    data = data[: data.rindex(b"</div>")] + "日".encode()[:2]
    assert first_text(data) == text + "\ufffd", label


def test_a_few_bad_bytes_in_a_utf8_page_are_replaced_alone() -> None:
    # A windows-1252 "é" pasted into a UTF-8 page of many non-ASCII characters.
    data = page(TEXT + " " + JAPANESE).encode("utf-8").replace(b"5 ", b"5 caf\xe9 ")
    assert first_text(data) == (TEXT + " " + JAPANESE).replace("5 ", "5 caf\ufffd ")


def test_a_text_copy_cut_inside_a_character() -> None:
    copy = f"{RUSSIAN}\n• • •\nKeep Current with Someone\n".encode()[:-1] + "ё".encode()[:1]
    thread = threadkeep.parse(copy)
    assert isinstance(thread, threadkeep.Thread)
    assert thread.tweets[0].text == RUSSIAN


@pytest.mark.parametrize("size", [4, 5, 7, 16384])
def test_utf8_checked_a_slice_at_a_time_as_a_whole_decode_says(
    size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Slices may end inside a character, before a bad byte, or inside a cut one at the end.
    monkeypatch.setattr(encoding, "_SLICE", size)
    rng = random.Random(size)
    pieces = ["a", "é", "€", "𝕏", "<p>"]
    for _ in range(3000):
        data = "".join(rng.choice(pieces) for _ in range(rng.randrange(12))).encode()
        if rng.random() < 0.5 and data:
            at = rng.randrange(len(data) + 1)
            data = data[:at] + bytes([rng.randrange(256)]) + data[at:]
        if rng.random() < 0.3:
            data = data[: rng.randrange(len(data) + 1)]
        try:
            data.decode("utf-8")
            whole = True
        except UnicodeDecodeError:
            whole = False
        assert encoding._is_utf8(data) == whole, data
