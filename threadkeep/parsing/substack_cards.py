"""Substack's static tweet cards, as Markdown copies of a post keep them.

A Substack post's e-mail (and its web page, and the RSS item) shows each tweet as a static
card: one link around the author's avatar, name, ``@handle`` and text, and beside it (or inside
it, before 2021) the date and the counts. Clippers, read-later services and e-mail exports
turn the card into a Markdown link::

    [![Twitter avatar for @parithosh_j](https://substackcdn.com/image/twitter_name/w_96/…)

    parithosh | 🐼👉👈🐼 @parithosh\\_j

    Sepolia merged successfully! …](https://twitter.com/parithosh_j/status/1544968914777645056)[

    8:57 AM ∙ Jul 7, 2022 ---

    162Likes19Retweets](https://twitter.com/parithosh_j/status/1544968914777645056)

The rules, each stated on that shape:

* **A card** is a Markdown link whose text starts with the avatar: an image whose alt is
  "Twitter avatar for @handle" ("X avatar for @handle" since 2025), or whose url is Substack's
  avatar proxy (``/image/twitter_name/w_NN/<handle>.jpg``; twice in cards of 2019–2020).
  Nothing else in a text copy looks like that, so the rule finds no card in other copies.
* **Its tweet** is the link's target when that is a status url (id, handle); the e-mail
  version links to ``email.mg*.substack.com`` redirects instead, so its tweets have no id:
  the handle then comes from the avatar.
* **Name and text.** The card reads "Name @handle" then the text, often glued together
  ("@GaryMarcusexcellent analysis"): the text starts right after the first ``@handle`` the
  avatar names.
* **A second avatar** inside the card starts the quoted tweet (it has no id of its own); in
  2026 cards it may have an empty alt (a ``profile_images`` url) and the "Name @handle" line
  below it says who.
* **Date and counts** ("8:57 AM ∙ Jul 7, 2022", "October 28th 2020", "162Likes19Retweets",
  "1 Retweet156 Likes") are the card's footer, inside the link or in the links right after it
  that point to the same target; they are not tweet text. 2026 cards add the views
  ("11:30 PM · Mar 5, 2026 · 584K Views", "345 Replies · 493 Reposts"), put the footer after
  the quoted tweet, or list it ("- 6:58 PM · Jun 7, 2026", "- 8.5M", "- 1,796"); their name
  may stand bold on a line of its own. A link between them that opens with a picture is the
  tweet's link-preview card; pictures in the text are its photos.

The scan is linear: each card is read once, from ``[`` to ``](target)``, then the next.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from threadkeep.limits import check_tweets
from threadkeep.models import Media, Tweet, snowflake_time
from threadkeep.parsing.shared import make_author, text_entities
from threadkeep.parsing.substack_footer import card_date, without_footer
from threadkeep.parsing.substack_plain import attrs_tails, bare_cards, glued_cards
from threadkeep.parsing.substack_text import clean_words, fenced_tweets, text_cards
from threadkeep.urls import HANDLE, is_handle, status_parts, status_url

__all__ = ["find_cards"]

_AVATAR_ALTS = ("Twitter avatar for @", "X avatar for @")  # Substack renamed it in 2025
_READER_ALT_RE = re.compile(r"Image \d{1,4}: ")  # Jina Reader numbers every image's alt
_AVATAR_PATH = "/image/twitter_name/"
_AVATAR_FILE_RE = re.compile(rf"/image/twitter_name/[^/]*/({HANDLE})\.\w+")
_MAX_CARD = 20_000  # characters from a card's "[" to its "](": longer is no card
_MAX_FOOTER_LINKS = 3
# A clipper's raw media tags inside a card ("<video controls src=…></video>"): not text.
_RAW_MEDIA_RE = re.compile(r"<(?:video|audio|source|img)\b[^<>]{0,3000}>(?:</(?:video|audio)>)?")
_ESCAPE_RE = re.compile(r"\\([!-/:-@\[-`{-~])")


@dataclass(slots=True)
class _Image:
    start: int
    end: int
    alt: str
    url: str

    def __post_init__(self) -> None:
        if prefix := _READER_ALT_RE.match(self.alt):
            self.alt = self.alt[prefix.end() :]

    @property
    def is_avatar(self) -> bool:
        return self.alt.startswith(_AVATAR_ALTS) or _AVATAR_PATH in self.url

    @property
    def is_profile_picture(self) -> bool:
        """An avatar by its url alone (the 2026 quoted tweet's has an empty alt)."""
        return self.is_avatar or (not self.alt and "profile_images" in self.url)

    @property
    def handle(self) -> str | None:
        if self.alt.startswith(_AVATAR_ALTS):
            handle = _ESCAPE_RE.sub(r"\1", self.alt.partition(" for @")[2]).strip()
            return handle if is_handle(handle) else None
        match = _AVATAR_FILE_RE.search(self.url)
        return match.group(1) if match else None


@dataclass(slots=True)
class _Card:
    inner: str
    target: str
    footer: list[str] = field(default_factory=list)
    cards: list[str] = field(default_factory=list)  # link-preview cards' targets


def find_cards(text: str) -> list[Tweet]:
    """Every Substack tweet in a Markdown copy, in order (none in other copies): its cards
    (:mod:`.substack_plain` for those with no avatar left) and Pandoc fenced tweet divs, or the
    cards of a page reduced to text (:mod:`.substack_text`), or the tails of the JSON."""
    # Each reader runs only where its mark is in the copy: most text copies hold none, and
    # every copy of every kind passes here.
    fenced = fenced_tweets(text) if 'attrs="' in text else []
    found = [(start, tweet) for start, _, tweet in fenced]
    if "![" in text:
        found += _link_cards(text, [(start, end) for start, end, _ in fenced])
    if "/status" in text:
        found += bare_cards(text) + glued_cards(text)  # cards with no avatar left
    found.sort(key=lambda pair: pair[0])
    tweets = [tweet for _, tweet in found]
    if not tweets and ("M ·" in text or "M ∙" in text):
        tweets = text_cards(text)
    if not tweets and "username" in text:
        tweets = attrs_tails(text)
    check_tweets(len(tweets))
    return tweets


def _link_cards(text: str, skip: list[tuple[int, int]]) -> list[tuple[int, Tweet]]:
    """Each card link and where it starts; avatars inside the ``skip`` spans (in order, apart)
    are part of something already read."""
    found: list[tuple[int, Tweet]] = []
    at = 0
    spans = iter(skip)
    span = next(spans, None)
    while (avatar := _next_avatar(text, at)) is not None:
        while span is not None and span[1] <= avatar.start:
            span = next(spans, None)
        opening = _opening_bracket(text, avatar.start)
        if opening is None or (span is not None and span[0] <= avatar.start):
            at = avatar.end
            continue
        card, at = _read_card(text, opening)  # a card that does not close is skipped whole
        tweet = _card_tweet(card) if card is not None else None
        if tweet is not None:
            found.append((opening, tweet))
            check_tweets(len(found))
    return found


def _image_at(text: str, start: int) -> _Image | None:
    """The Markdown image ``![alt](url)`` starting at ``start``, or None."""
    if not text.startswith("![", start):
        return None
    middle = text.find("](", start + 2, start + 2 + 500)
    if middle == -1 or "]" in text[start + 2 : middle]:
        return None
    close = text.find(")", middle + 2, middle + 2 + 2000)
    url = text[middle + 2 : close] if close != -1 else ""
    if not url or len(url.split(maxsplit=1)) > 1:
        return None
    return _Image(start, close + 1, text[start + 2 : middle], url)


def _next_avatar(text: str, at: int) -> _Image | None:
    while (start := text.find("![", at)) != -1:
        image = _image_at(text, start)
        if image is not None and image.is_avatar:
            return image
        at = start + 2
    return None


def _opening_bracket(text: str, start: int) -> int | None:
    """The ``[`` that opens the link around an avatar: right before it, blank lines apart."""
    index = start - 1
    while index >= max(0, start - 8) and text[index].isspace():
        index -= 1
    return index if index >= 0 and text[index] == "[" else None


def _skip_space(text: str, at: int) -> int:
    """``at`` moved past a few spaces or line breaks (links of one card sit that close)."""
    limit = min(len(text), at + 4)
    while at < limit and text[at].isspace():
        at += 1
    return at


def _link_end(text: str, opening: int) -> tuple[int, str | None]:
    """Where the Markdown link whose ``[`` is at ``opening`` ends, and its target; when it is
    no link, where the scan stopped and None (the next search starts there)."""
    depth = 0
    index = opening
    limit = min(len(text), opening + _MAX_CARD)
    while index < limit:
        char = text[index]
        if char == "\\":
            index += 2
            continue
        depth += (char == "[") - (char == "]")
        if depth == 0:
            break
        index += 1
    else:
        return max(index, opening + 1), None
    if not text.startswith("(", index + 1):
        return index + 1, None
    close = text.find(")", index + 2, index + 2 + 2000)
    target = text[index + 2 : close] if close != -1 else ""
    if not target or len(target.split(maxsplit=1)) > 1:
        return index + 1, None
    return close + 1, target


def _read_card(text: str, opening: int) -> tuple[_Card | None, int]:
    """The card whose link opens at ``opening`` with its footer links, and where it ends."""
    end, target = _link_end(text, opening)
    if target is None:
        return None, end
    card = _Card(text[opening + 1 : end - len(target) - 3], target)  # up to "](target)"
    for _ in range(_MAX_FOOTER_LINKS):
        start = _skip_space(text, end)
        if not text.startswith("[", start):
            break
        after, link_target = _link_end(text, start)
        if link_target is None:
            break
        inner = text[start + 1 : after - len(link_target) - 3]
        image = _image_at(inner.lstrip(), 0)
        if link_target == target:
            card.footer.append(inner)
        elif image is not None and not image.is_avatar and status_parts(link_target) is None:
            card.cards.append(link_target)  # the tweet's link-preview card
        else:
            break  # prose, or the next card
        end = after
    return card, end


def _images(text: str) -> list[_Image]:
    images = []
    at = 0
    while (start := text.find("![", at)) != -1:
        image = _image_at(text, start)
        if image is not None:
            images.append(image)
        at = image.end if image is not None else start + 2
    return images


@dataclass(slots=True)
class _Part:
    """One tweet's share of a card: its avatar's handle, its words and pictures."""

    handle: str | None
    words: str
    photos: list[str]


def _leading_avatars(inner: str, images: list[_Image]) -> int:
    """How many avatars open the card (one, or the same one twice in 2019–2020 cards)."""
    count = 0
    at = 0
    for image in images:
        if not image.is_avatar or inner[at : image.start].strip():
            break
        count += 1
        at = image.end
    return count


def _parts(inner: str) -> tuple[_Part, _Part | None]:
    """The card's own tweet, and the quoted tweet a later avatar starts."""
    images = _images(inner)
    lead = _leading_avatars(inner, images)
    quote_at = next(
        (i for i in range(lead, len(images)) if images[i].is_profile_picture), len(images)
    )
    handle = next((image.handle for image in images[:lead] if image.handle), None)
    start = images[lead - 1].end if lead else 0
    stop = images[quote_at].start if quote_at < len(images) else len(inner)
    own = _part(inner, handle, start, stop, images[lead:quote_at])
    if quote_at == len(images):
        return own, None
    quoted = images[quote_at]
    rest = [image for image in images[quote_at + 1 :] if not image.is_profile_picture]
    return own, _part(inner, quoted.handle, quoted.end, len(inner), rest)


def _part(inner: str, handle: str | None, start: int, stop: int, images: list[_Image]) -> _Part:
    """The words between ``start`` and ``stop``, each picture there cut out (a line break)."""
    pieces = []
    photos = []
    at = start
    for image in images:
        if image.start < start or image.end > stop:
            continue
        pieces.append(inner[at : image.start])
        pieces.append("\n")
        photos.append(image.url)
        at = image.end
    pieces.append(inner[at:stop])
    return _Part(handle, _ESCAPE_RE.sub(r"\1", "".join(pieces)), photos)


def _card_tweet(card: _Card) -> Tweet | None:
    own, quoted = _parts(card.inner)
    linked, tweet_id = status_parts(card.target) or (None, None)
    handle = (
        own.handle
        if own.handle and (not linked or linked.lower() == own.handle.lower())
        else linked
    )
    name, words = _name_and_words(_RAW_MEDIA_RE.sub("\n", own.words), handle)
    words, date_text = without_footer(words)
    if quoted is not None:  # 2026 cards: the footer follows the quoted tweet, inside the link
        date_text = date_text or without_footer(quoted.words)[1]
    for footer in card.footer:
        date_text = date_text or without_footer(_ESCAPE_RE.sub(r"\1", footer))[1]
    text = clean_words(words)
    if not text and tweet_id is None:
        return None
    tags, mentions = text_entities(text)
    media = [Media(kind="photo", url=url) for url in own.photos]
    media += [Media(kind="card", url=url) for url in card.cards]
    return Tweet(
        id=tweet_id,
        url=status_url(handle, tweet_id),
        author=make_author(handle, name) if handle or name else None,
        text=text or None,
        created_at=snowflake_time(tweet_id) or card_date(date_text),
        date_text=date_text,
        media=tuple(media),
        hashtags=tuple(tags),
        mentions=tuple(mentions),
        quoted=_quoted_tweet(quoted) if quoted is not None else None,
    )


def _quoted_tweet(part: _Part) -> Tweet | None:
    if part.handle is None:  # an avatar with no alt: the "Name @handle" line below says who
        first = part.words.strip().split("\n", 1)[0]
        handle = first.rpartition("@")[2].strip() if len(first) <= 80 else ""
        part.handle = handle if "@" in first and is_handle(handle) else None
    name, words = _name_and_words(part.words, part.handle)
    text = clean_words(without_footer(words)[0])
    if not text and not part.handle:
        return None
    tags, mentions = text_entities(text)
    return Tweet(
        author=make_author(part.handle, name) if part.handle or name else None,
        text=text or None,
        media=tuple(Media(kind="photo", url=url) for url in part.photos),
        hashtags=tuple(tags),
        mentions=tuple(mentions),
    )


def _name_and_words(words: str, handle: str | None) -> tuple[str | None, str]:
    """The name before the card's ``@handle``, and the words after it (glued or not)."""
    if not handle:
        return None, words
    at = words.lower().find("@" + handle.lower())
    if at == -1:
        return None, words
    name = " ".join(words[:at].split()).strip("*").strip()  # "**Name**" on its own line
    return name or None, words[at + 1 + len(handle) :]
