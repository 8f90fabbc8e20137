"""Readable views of parsed results: the "unrolled" Markdown of a thread, listing or article."""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterator
from datetime import UTC, datetime

from threadkeep.archive.view_models import ArchivedThread, ArchivedTweet, History, KeptMedia
from threadkeep.models import Article, Author, Export, Listing, Thread, ThreadPreview, Tweet
from threadkeep.urls import largest_url
from threadkeep.words import plural

__all__ = ["archived_to_markdown", "archived_to_text", "json_chunks", "printable", "to_markdown"]


# Every line break str.splitlines() knows, "\r\n" as one.
_BREAKS = re.compile("\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")


def _one_line(value: str) -> str:
    """A name or title on one line: a page cannot start a line of output with it."""
    return _BREAKS.sub(" ", value)


def _who(author: Author | None) -> str:
    if author is None:
        return "unknown author"
    name = _one_line(author.name) if author.name else None
    if name and author.handle:
        return f"{name} (@{author.handle})"
    if author.handle:
        return f"@{author.handle}"
    return name or "unknown author"


_BLOCK_START = re.compile(r"^(\s*)(?:([#>*+=|<-])|(\d+)([.)])(?=\s|$))")


def _escape_line(line: str) -> str:
    # "#NKpeace …" would be a heading, "1. …" a list, "> …" a quote, "<b>57.</b>" bold HTML:
    # show them as written.
    return _BLOCK_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[2] else f"{m[1]}{m[3]}\\{m[4]}", line)


def _paragraphs(text: str, *, inline: bool) -> str:
    """Tweet text as Markdown: blank lines stay paragraphs, single breaks stay breaks.

    Lines Markdown would read as a heading, list or quote are escaped; the first line is left
    alone when ``inline`` (it follows a label on the same line, so it cannot start a block).
    """
    lines = [_escape_emphasis(line) for line in text.split("\n")]
    escaped = [line if inline and i == 0 else _escape_line(line) for i, line in enumerate(lines)]
    return "  \n".join(escaped).replace("  \n  \n", "\n\n")


_EMPHASIS_START = re.compile(r"^(\s*)([*_]+)")


def _escape_emphasis(line: str) -> str:
    # The view's labels and marks are bold at a paragraph's start ("**57.** **REMOVED …**"):
    # a line of text starting with "**" or "__" shows its asterisks, so it cannot pass for one.
    return _EMPHASIS_START.sub(lambda m: m[1] + "".join("\\" + c for c in m[2]), line)


def _quote_block(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.split("\n"))


def _tweet(tweet: Tweet, *, show_author: bool = False, after: str | None = None) -> str:
    lines: list[str] = []
    head = []
    if tweet.position is not None:
        head.append(f"**{tweet.position}.**")
    if show_author:
        head.append(_who(tweet.author))
    if tweet.unavailable:  # a page's words (a tombstone's), like the alt text below
        head.append(f"*(unavailable: {_one_line(tweet.unavailable)})*")
    if tweet.deleted:
        when = f" {_minute(tweet.deleted_at)}" if tweet.deleted_at else ""
        head.append(f"*(deleted{when})*")
    if tweet.text:
        head.append(_paragraphs(tweet.text, inline=bool(head)))
    elif tweet.text is None and not tweet.unavailable:
        head.append("*(no text in this copy)*")
    answers = tweet.in_reply_to
    if answers is not None and answers.url and (after is None or answers.id != after):
        head.append(f"(in reply to <{answers.url}>)")
    if tweet.url:
        head.append(f"[↗]({tweet.url})")
    lines.append(" ".join(head))
    for media in tweet.media:
        label = _one_line(media.alt) if media.alt else media.kind
        if media.url is None:
            lines.append(f"*[{media.kind}]*")
        elif media.kind == "photo":
            lines.append(f"![{label}]({media.url})")
        else:
            lines.append(f"[{media.kind}: {label}]({media.url})")
    for link in tweet.links:
        lines.append(f"<{link.url}>")
    if tweet.quoted is not None:
        quoted = tweet.quoted
        body = quoted.text or (
            f"(quoted tweet unavailable: {quoted.unavailable})"
            if quoted.unavailable
            else "(quoted tweet; text not in this copy)"
        )
        where = f" — {quoted.url}" if quoted.url else ""
        lines.append(_quote_block(f"Quoting {_who(quoted.author)}{where}\n{body}"))
    return "\n\n".join(lines)


def _thread(thread: Thread, *, level: str = "#") -> str:
    facts = []
    if thread.created_at:
        facts.append(thread.created_at.date().isoformat())
    count = plural(len(thread.tweets), "tweet")
    if thread.declared_count is not None and thread.declared_count != len(thread.tweets):
        count += f" of {thread.declared_count} declared"
    facts.append(count)
    if thread.read_minutes:
        facts.append(f"{thread.read_minutes} min read")
    if thread.complete is False:
        missing = ", ".join(map(str, thread.gaps)) if thread.gaps else "some"
        facts.append(f"incomplete (missing: {missing})")
    parts = [f"{level} Thread by {_who(thread.author)}", " · ".join(facts)]
    if thread.url:
        parts.append(f"Source: <{thread.url}>")
    previous = [None, *(tweet.id for tweet in thread.tweets)]
    # In a thread, a reply to the tweet just above goes without saying.
    parts.extend(
        _tweet(t, after=before) for t, before in zip(thread.tweets, previous, strict=False)
    )
    return "\n\n".join(parts) + "\n"


def _preview(preview: ThreadPreview) -> str:
    title = f"### {_who(preview.author)}"
    if preview.declared_count is not None:
        title += f" — {plural(preview.declared_count, 'tweet')}"
    parts = [title]
    parts.extend(_tweet(tweet) for tweet in preview.tweets)
    if preview.url:
        parts.append(f"Read the thread: <{preview.url}>")
    return "\n\n".join(parts)


def _listing(listing: Listing) -> str:
    parts = [f"# {_one_line(listing.title or 'Thread listing')}"]
    if listing.declared_total is not None:
        parts.append(
            f"{plural(len(listing.threads), 'thread')} shown of {listing.declared_total} declared"
        )
    section: str | None = None
    for preview in listing.threads:
        if preview.section and preview.section != section:
            section = preview.section
            parts.append(f"## {_one_line(section)}")
        parts.append(_preview(preview))
    return "\n\n".join(parts) + "\n"


def _article(article: Article) -> str:
    parts = [f"# {_one_line(article.title or 'Article')}"]
    if article.url:
        parts.append(f"Source: <{article.url}>")
    parts.extend(_tweet(tweet, show_author=True) for tweet in article.tweets)
    return "\n\n".join(parts) + "\n"


def _export(export: Export) -> str:
    """An account export: what it holds, then its threads unrolled (the tweets are in JSON)."""
    facts = []
    if export.generated_at:
        facts.append(f"exported {_minute(export.generated_at)}")
    facts.append(plural(len(export.tweets), "tweet"))
    deleted = sum(1 for tweet in export.tweets if tweet.deleted)
    if deleted:
        facts.append(f"{deleted} deleted")
    facts.append(plural(len(export.threads), "thread"))
    parts = [f"# Tweets of {_who(export.account)}", " · ".join(facts)]
    parts.extend(_thread(thread, level="##").rstrip("\n") for thread in export.threads)
    return "\n\n".join(parts) + "\n"


def to_markdown(result: Thread | Listing | Article | Tweet | Export) -> str:
    """Render a parsed result as readable Markdown (a thread reads top to bottom; an export
    shows its threads unrolled)."""
    if isinstance(result, Thread):
        return _thread(result)
    if isinstance(result, Listing):
        return _listing(result)
    if isinstance(result, Article):
        return _article(result)
    if isinstance(result, Export):
        return _export(result)
    return _tweet(result, show_author=True) + "\n"


def _minute(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _web_archive_copies(history: History | None) -> frozenset[str]:
    """The raw captures (sha256) of a document that only came as copies from the web archive
    (``threadkeep recover``: their log lines carry the archive's digest); bytes also captured
    otherwise (the live page, the same as an archived copy) are not among them."""
    if history is None:
        return frozenset()
    copied = {c.sha256 for c in history.captures if c.digest is not None}
    seen_otherwise = {c.sha256 for c in history.captures if c.digest is None}
    return frozenset(sha for sha in copied - seen_otherwise if sha is not None)


def _copy_mark(tweet: ArchivedTweet, copies: Collection[str]) -> str | None:
    """``FROM THE WEB ARCHIVE (copy of …)`` for a tweet only web-archive copies showed."""
    if not copies or not tweet.sightings:
        return None
    if any(sighting.sha256 not in copies for sighting in tweet.sightings):
        return None
    first = min(s.first_seen for s in tweet.sightings)
    last = max(s.last_seen for s in tweet.sightings)
    if first == last:
        return f"FROM THE WEB ARCHIVE (copy of {_minute(first)})"
    return f"FROM THE WEB ARCHIVE (copies of {_minute(first)} to {_minute(last)})"


def _archived_line(
    tweet: ArchivedTweet, *, markdown: bool, copies: Collection[str] = frozenset()
) -> str:
    marks = []
    if tweet.removed:
        gone = _minute(tweet.removed_at) if tweet.removed_at else "?"
        marks.append(
            f"REMOVED (missing from the capture of {gone}; last seen {_minute(tweet.last_seen)})"
        )
    if (copy := _copy_mark(tweet, copies)) is not None:
        marks.append(copy)
    texts = [v.text for v in tweet.versions if v.text is not None]
    if len(set(texts)) > 1:
        marks.append(f"EDITED ({len(texts)} versions)")
    if tweet.unavailable:
        marks.append(f"UNAVAILABLE: {_one_line(tweet.unavailable)}")
    label = f"{tweet.position}." if tweet.position is not None else "-"
    if tweet.removed and tweet.position is not None:
        # Its old place: the later copy numbers the tweets after it one less.
        label = f"(was {tweet.position}.)"
    text = tweet.text or "(no text in the copies seen)"
    if markdown:
        body = _paragraphs(text, inline=True)
        if tweet.removed:
            body = f"~~{body}~~" if "\n" not in body else body
        line = " ".join([f"**{label}**", *(f"**{m}**" for m in marks), body])
        for version in tweet.versions[:-1] if len(set(texts)) > 1 else ():
            earlier = _paragraphs(version.text or "", inline=True)
            line += "\n\n" + _quote_block(f"*earlier ({version.first_seen.date()}):* {earlier}")
        return line
    head = f"[{', '.join(marks)}] " if marks else ""
    lines = [f"{label} {head}{_plain(text)}"]
    for version in tweet.versions[:-1] if len(set(texts)) > 1 else ():
        lines.append(f"  earlier ({version.first_seen.date()}): {_plain(version.text or '')}")
    return "\n".join(lines)


def _plain(text: str) -> str:
    """Tweet text for the text view, where only the view itself starts a line.

    A tweet's first line (its label and marks) and an earlier version's ("  earlier (…)") are
    the only lines that start with a non-space or with exactly two spaces: every further line
    of a text is indented by four, so a tweet holding "\\n57. [REMOVED …]" cannot pass for a
    mark; a text that starts with "[" follows the label as "\\[", so it cannot pass for marks.
    """
    first, *rest = _BREAKS.split(text)
    if first.startswith("["):
        first = "\\" + first
    return "\n".join([first, *(f"    {line}" for line in rest)])


def _archived_heading(document: ArchivedThread) -> str:
    """The heading of a merged document.

    A thread's title is its first tweet (Thread Reader's "Thread by @x: …"), so a thread is
    headed by its author; other documents by their title.
    """
    if document.kind == "thread" and document.author is not None:
        return f"Thread by {_who(document.author)}"
    if document.title:
        by = f" — {_who(document.author)}" if document.author is not None else ""
        return f"{_one_line(document.title)}{by}"
    return f"{document.kind.title()} {document.id or document.document}"


def archived_to_markdown(document: ArchivedThread, history: History | None = None) -> str:
    """The merged document as Markdown: removed tweets struck through, edits shown; with the
    document's ``history``, the tweets only web-archive copies showed are marked with the
    time of those copies."""
    copies = _web_archive_copies(history)
    removed = sum(t.removed for t in document.tweets)
    heading = _archived_heading(document)
    parts = [
        f"# {heading}",
        f"{plural(len(document.tweets), 'tweet')} ever seen, {removed} removed · "
        f"{plural(document.captures, 'capture')} from {document.first_captured.date()} to "
        f"{document.last_captured.date()}",
    ]
    if document.url:
        parts.append(f"Source: <{document.url}>")
    parts.extend(_archived_line(t, markdown=True, copies=copies) for t in document.tweets)
    if document.media:
        parts.append(f"## {_kept_heading(document)}")
        parts.append("\n".join(f"- {_kept_line(item, markdown=True)}" for item in document.media))
    return "\n\n".join(parts) + "\n"


def archived_to_text(document: ArchivedThread, history: History | None = None) -> str:
    """The merged document as plain text, one tweet a paragraph, marks in brackets (with the
    document's ``history``, the web-archive copies' times as :func:`archived_to_markdown`)."""
    copies = _web_archive_copies(history)
    removed = sum(t.removed for t in document.tweets)
    heading = _archived_heading(document)
    if heading[:1] in ("-", "(", "[") or heading[:1].isdigit():
        heading = "\\" + heading  # a title "57. …" is not a tweet's line
    head = [
        heading,
        f"{plural(len(document.tweets), 'tweet')} ever seen, {removed} removed, "
        f"{plural(document.captures, 'capture')}",
    ]
    return (
        "\n".join(head)
        + "\n\n"
        + "\n\n".join(_archived_line(t, markdown=False, copies=copies) for t in document.tweets)
        + "\n"
        + (
            f"\n{_kept_heading(document)}:\n"
            + "".join(f"  {_kept_line(item, markdown=False)}\n" for item in document.media)
            if document.media
            else ""
        )
    )


def _kept_heading(document: ArchivedThread) -> str:
    return f"{plural(len(document.media), 'media file')} kept in the archive"


def _kept_line(item: KeptMedia, *, markdown: bool) -> str:
    """One kept media file: what it is, where it is in the store, where it came from."""
    what = item.url or f"export file {item.export_file}"
    size = f"{item.size / 1024:,.0f} KB" if item.size >= 1024 else f"{item.size} bytes"
    came = "" if _from_its_url(item) else f", from {item.origin}"
    where = f"`{item.path}`" if markdown else item.path
    return f"{what} → {where} ({item.type or 'file'}, {size}{came})"


def _from_its_url(item: KeptMedia) -> bool:
    """Whether the bytes came from the media's own url, or the largest size of it (as the
    media fetch asks for a photo): only bytes from elsewhere (the web archive, an export's
    file) are worth a "from"."""
    return item.url is not None and item.origin in (item.url, largest_url(item.url))


# C0 controls but tab and newline, DEL, and C1 controls: a page may hide escape sequences in
# its text ("\x1b]0;…\x07" retitles a terminal; others have done worse).
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    r"""``text`` safe to print on a terminal: control characters become U+FFFD.

    JSON output escapes them itself; Markdown and text output, which carry tweet text as
    the page gave it, go through this before they are printed.

    >>> printable("red \x1b[31malert\x07 ok\n")
    'red �[31malert� ok\n'
    """
    return _CONTROL_RE.sub("\ufffd", text)


def json_chunks(
    result: Thread | Listing | Article | Tweet | Export, *, indent: int | None
) -> Iterator[str]:
    """``result.model_dump_json(indent=indent)``, in pieces: an export's tweets one by one, so
    that the JSON of 200,000 tweets is never one string (it would be gigabytes)."""
    if not isinstance(result, Export):
        yield result.model_dump_json(indent=indent)
        return
    inner, comma, colon = ("\n" + " " * indent, ",", ": ") if indent else ("", ",", ":")
    deeper = inner + " " * (indent or 0)
    yield "{"
    for number, name in enumerate(Export.model_fields):
        value = getattr(result, name)
        yield (comma if number else "") + inner + json.dumps(name) + colon
        if name in ("tweets", "threads"):
            if not value:
                yield "[]"
                continue
            yield "["
            for index, item in enumerate(value):
                text = item.model_dump_json(indent=indent)
                yield (comma if index else "") + deeper + text.replace("\n", deeper)
            yield inner + "]"
        else:
            one = result.model_dump_json(indent=indent, include={name})
            body = one[one.index(colon, len(json.dumps(name))) + len(colon) : one.rindex("}")]
            yield body.rstrip().replace("\n" + " " * (indent or 0), inner) if indent else body
    yield ("\n" if indent else "") + "}"
