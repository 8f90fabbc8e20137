"""Dates as tweet copies show them, in the languages embeds are rendered in.

Embeds print the tweet's date in the widget's language (``data-lang``): "March 6, 2018",
"6 March 2018" (en-gb), "6. März 2018", "7 août 2014", "7 de agosto de 2014",
"6 marzo 2018", "6 maart 2018", "2018年3月6日", "2018년 3월 6일"; copies retyped by hand add
ordinals ("1er mars 2019", "1º de marzo de 2019", "March 6th, 2018"). A date with no time of day
becomes midnight UTC; ``date_text`` keeps what the page showed.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import UTC, datetime

__all__ = ["DATE_PATTERN", "MONTH_WORD", "parse_date"]

# Month names and common abbreviations, accent-folded and lower-cased, by language.
_MONTHS: dict[str, int] = {}
_NAMES = {
    "en": "january february march april may june july august september october november december",
    "de": "januar februar marz april mai juni juli august september oktober november dezember",
    "fr": "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre",
    "pt": "janeiro fevereiro marco abril maio junho julho agosto setembro outubro novembro "
    "dezembro",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre "
    "dicembre",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "ca": "gener febrer marc abril maig juny juliol agost setembre octubre novembre desembre",
    "sv": "januari februari mars april maj juni juli augusti september oktober november december",
    "da": "januar februar marts april maj juni juli august september oktober november december",
    "pl": "stycznia lutego marca kwietnia maja czerwca lipca sierpnia wrzesnia pazdziernika "
    "listopada grudnia",
    "tr": "ocak subat mart nisan mayis haziran temmuz agustos eylul ekim kasim aralik",
    "id": "januari februari maret april mei juni juli agustus september oktober november desember",
    "ru": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
    "ro": "ianuarie februarie martie aprilie mai iunie iulie august septembrie octombrie "
    "noiembrie decembrie",
    "cs": "ledna unora brezna dubna kvetna cervna cervence srpna zari rijna listopadu prosince",
    "hr": "sijecnja veljace ozujka travnja svibnja lipnja srpnja kolovoza rujna listopada "
    "studenoga prosinca",
    "fi": "tammikuuta helmikuuta maaliskuuta huhtikuuta toukokuuta kesakuuta heinakuuta "
    "elokuuta syyskuuta lokakuuta marraskuuta joulukuuta",
    "no": "januar februar mars april mai juni juli august september oktober november desember",
    "hu": "januar februar marcius aprilis majus junius julius augusztus szeptember oktober "
    "november december",
    "uk": "січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня",
    "el": "ιανουαριου φεβρουαριου μαρτιου απριλιου μαιου ιουνιου ιουλιου αυγουστου "
    "σεπτεμβριου οκτωβριου νοεμβριου δεκεμβριου",
    "fil": "enero pebrero marso abril mayo hunyo hulyo agosto setyembre oktubre nobyembre "
    "disyembre",
    "ms": "januari februari mac april mei jun julai ogos september oktober november disember",
    "se": "oddajagemannu guovvamannu njukcamannu cuonomannu miessemannu geassemannu "
    "suoidnemannu borgemannu cakcamannu golggotmannu skabmamannu juovlamannu",
    "ar": "يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر",
    "hi": "जनवरी फ़रवरी मार्च अप्रैल मई जून जुलाई अगस्त सितंबर अक्तूबर नवंबर दिसंबर",
}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


for _names in _NAMES.values():
    for _number, _name in enumerate(_fold(_names).split(), start=1):
        _MONTHS.setdefault(_name, _number)
        if len(_name) > 3:
            _MONTHS.setdefault(_name[:3], _number)
        if len(_name) > 4:
            _MONTHS.setdefault(_name[:4], _number)
_MONTHS.update({"sept": 9, "setiembre": 9, "mrz": 3, "maerz": 3})

# A month name: letters, and the vowel signs of Devanagari ("अगस्त") that are not letters.
MONTH_WORD = r"[^\W\d_](?:[^\W\d_]|[\u0900-\u097f\u0300-\u036f]){2,13}"
"""A month's name as a pattern (no group)."""
_WORD = rf"({MONTH_WORD})\.?"
_PATTERNS = (
    # March 6, 2018 / Mar 6, 2018
    (
        re.compile(rf"^{_WORD}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})$"),
        ("month", "day", "year"),
    ),
    # 6 March 2018 / 6. März 2018 / 7 de agosto de 2014 / 6 marzo, 2018 / 1er mars 2019
    (
        re.compile(
            rf"^(\d{{1,2}})(?:st|nd|rd|th|er|º|ª)?\.?\s+(?:de\s+)?{_WORD},?\s+(?:de\s+)?(\d{{4}})$"
        ),
        ("day", "month", "year"),
    ),
    # 2018. június 15. (Hungarian) / 2020 skábmamánnu 5 (Northern Sami)
    (re.compile(rf"^(\d{{4}})\.?\s+{_WORD}\s+(\d{{1,2}})$"), ("year", "month", "day")),
    # 15 tháng 6, 2018 (Vietnamese: "month 6")
    (
        re.compile(r"^(\d{1,2})\s+th(?:á|a)ng\s+(\d{1,2}),?\s+(\d{4})$"),
        ("day", "month", "year"),
    ),
    # 2018年3月6日 / 2018년 3월 6일 / 2018-03-06 / 2018/3/6
    (
        re.compile(r"^(\d{4})\s*[年년\-/.]\s*(\d{1,2})\s*[月월\-/.]\s*(\d{1,2})\s*[日일]?$"),
        ("year", "month", "day"),
    ),
)


_SP = r"[ \t\u00a0]"  # a space within a line: a date never runs across lines
DATE_PATTERN = (
    # August 7, 2014 / March 6th, 2018
    rf"(?:{MONTH_WORD}\.?{_SP}+\d{{1,2}}(?:st|nd|rd|th)?,?{_SP}+\d{{4}}"
    # 7 de agosto de 2014 / 6. März 2018 / 1er mars 2019
    rf"|\d{{1,2}}(?:st|nd|rd|th|er|º|ª)?\.?{_SP}+(?:de{_SP}+)?{MONTH_WORD}\.?,?{_SP}+"
    rf"(?:de{_SP}+)?\d{{4}}"
    # 2018. június 15. / 2020 skábmamánnu 5
    rf"|\d{{4}}\.?{_SP}+{MONTH_WORD}{_SP}+\d{{1,2}}\.?"
    # 15 tháng 6, 2018
    rf"|\d{{1,2}}{_SP}+th(?:á|a)ng{_SP}+\d{{1,2}},?{_SP}+\d{{4}}"
    # 2018年3月6日 / 2019년 3월 1일
    rf"|\d{{4}}{_SP}*[年년]{_SP}*\d{{1,2}}{_SP}*[月월]{_SP}*\d{{1,2}}{_SP}*[日일]?)"
)
"""The dates :func:`parse_date` reads, as a pattern to find one in running text (no group;
bounded repeats only, so it cannot backtrack far; spaces, not line breaks, between its parts:
a date does not run across lines)."""


@functools.lru_cache(maxsize=256)  # a copy repeats its dates; a datetime is immutable
def parse_date(text: str | None) -> datetime | None:
    """Parse a date as embeds and text copies show it; None when it is not one.

    >>> parse_date("6. März 2018").date().isoformat()
    '2018-03-06'
    """
    if not text or len(text) > 64:  # no date is longer; a long text is no date
        return None
    cleaned = re.sub(r"\s+", " ", text).strip().rstrip(".").lower()
    for pattern, order in _PATTERNS:
        match = pattern.match(cleaned)
        if not match:
            continue
        values = dict(zip(order, match.groups(), strict=True))
        month_text = values["month"]
        month = int(month_text) if month_text.isdigit() else _MONTHS.get(_fold(month_text))
        if month is None:
            return None
        try:
            return datetime(int(values["year"]), month, int(values["day"]), tzinfo=UTC)
        except ValueError:
            return None
    return None
