"""What a batch reads: the table of input kinds, the walk that finds them, and reading one.

Every suffix threadkeep reads in a folder is in :data:`KINDS`, each with the function that
reads an input of that kind. A later kind of input (a zip account export, a WARC file) is one
more row: its suffixes, an ``expand`` that lists the inputs inside one file (members or
records, each with its own label and output name), and a ``read`` that gives one member's
bytes. ``parse()`` then sees one input at a time, whatever held it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO

from threadkeep.batch.input_list import InputList, WarcRecords
from threadkeep.files import suffix_of, walk
from threadkeep.limits import MAX_INPUT_BYTES, read_limited, too_large
from threadkeep.warc.index import Ref
from threadkeep.warc.read import Source

__all__ = [
    "EXPORT",
    "KINDS",
    "SUFFIXES",
    "WARC",
    "Input",
    "InputKind",
    "input_list",
    "inputs",
    "named_kind",
    "read_input",
    "suffix_list",
]


@dataclass(frozen=True)
class InputKind:
    """One kind of input file: the suffixes that name it, and how to open it."""

    name: str
    suffixes: tuple[str, ...]
    expand: Callable[[Input], Sequence[Input]]
    """The inputs one file of this kind holds: itself for a page, its members for a container."""
    read: Callable[[Input, IO[bytes]], bytes]
    """One input's bytes (the second argument is standard input, for ``-``)."""


@dataclass(frozen=True)
class Input:
    """One input: ``label`` names it in messages, ``relative`` places its output file."""

    label: str
    path: Path | None  # None for standard input
    relative: Path
    kind: InputKind = field(compare=False, repr=False)
    record: tuple[Source, Ref] | None = field(default=None, compare=False, repr=False)
    """A WARC record's file and place (a WARC input only)."""


def _itself(item: Input) -> Sequence[Input]:
    return (item,)


def _read_page(item: Input, stdin: IO[bytes]) -> bytes:
    """The input's bytes, never more than MAX_INPUT_BYTES of them (MalformedPage past it)."""
    if item.path is None:
        return read_limited(stdin, source=item.label)
    size = item.path.stat().st_size
    if size > MAX_INPUT_BYTES:
        raise too_large(size, source=item.label)
    with item.path.open("rb") as stream:  # a pipe or device may hold more than stat says
        return read_limited(stream, source=item.label)


PAGE = InputKind(
    name="page",
    suffixes=(".html", ".htm", ".txt", ".md", ".markdown", ".json"),
    expand=_itself,
    read=_read_page,
)
"""A saved page, text or Markdown copy, or JSON answer: one file, one input."""


def _read_nothing(item: Input, stdin: IO[bytes]) -> bytes:
    return b""  # an export is read by threadkeep.parse from its path, one file at a time


EXPORT = InputKind(name="export", suffixes=(), expand=_itself, read=_read_nothing)
"""An account export named on the command line: its zip, or its unpacked folder (one input,
read from its path). Zips inside a folder of pages are not read as exports."""


def _warc_records(item: Input) -> Sequence[Input]:
    """Every page record of a WARC file (or of each WARC in a WACZ): one input each."""
    from threadkeep.errors import MalformedPage
    from threadkeep.warc.read import refs
    from threadkeep.warc.wacz import is_wacz, warc_members

    assert item.path is not None
    try:
        import warcio  # noqa: F401
    except ImportError:
        missing = "reading WARC files needs warcio: pip install 'threadkeep[warc]'"
        return (_whole(item, Ref(0, damage=missing)),)
    if is_wacz(item.path):
        try:
            sources = [Source(item.path, member) for member in warc_members(item.path)]
        except MalformedPage as exc:  # reported as this file's one failed input
            return (_whole(item, Ref(0, damage=exc.reason)),)
    else:
        sources = [Source(item.path)]
    parts: list[WarcRecords[Input]] = []
    for source in sources:
        folder = item.relative / source.member if source.member else item.relative
        parts.append(WarcRecords(partial(_record, item), source, folder, refs(source)))
    if not any(parts):  # a crawl of images only: said to hold nothing, as a page without tweets is
        return (_whole(item, Ref(0, nothing=True)),)
    return parts[0] if len(parts) == 1 else InputList[Input](parts)


def _record(item: Input, source: Source, ref: Ref, relative: Path) -> Input:
    """One page record of the WARC file ``item``, named by where it starts."""
    return Input(source.at(ref.offset), item.path, relative, WARC, record=(source, ref))


def _whole(item: Input, ref: Ref) -> Input:
    """The one input standing for a whole WARC file that gives no record to read."""
    assert item.path is not None  # a WARC is a file: standard input is read as a page
    return Input(item.label, item.path, item.relative, WARC, record=(Source(item.path), ref))


WARC = InputKind(
    name="warc",
    suffixes=(".warc", ".warc.gz", ".wacz"),
    expand=_warc_records,
    read=_read_nothing,
)
"""A web-archive file (WARC, gzipped or not, or a WACZ): one input per page record, read by
:func:`threadkeep.warc.read.read_page` with its url, date and place."""

KINDS: tuple[InputKind, ...] = (PAGE, WARC)
"""Every kind of input file, in the order a folder's files are matched against them."""

SUFFIXES: tuple[str, ...] = tuple(suffix for kind in KINDS for suffix in kind.suffixes)
"""Every suffix read in a folder (compared in lower case); other files there are ignored."""

_BY_SUFFIX = {suffix: kind for kind in KINDS for suffix in kind.suffixes}


def suffix_list(conjunction: str = "or") -> str:
    """``.html, .htm, … or .json``: the suffixes read, for messages and help."""
    return ", ".join(SUFFIXES[:-1]) + f" {conjunction} {SUFFIXES[-1]}"


def _kind_of(path: Path) -> InputKind:
    # A file named on the command line is read whatever its suffix: the content decides.
    return _BY_SUFFIX.get(suffix_of(path.name), PAGE)


def _is_warc(head: bytes) -> bool:
    """True for the first bytes of a WARC, plain or gzipped."""
    if head.startswith(b"WARC/"):
        return True
    if not head.startswith(b"\x1f\x8b"):
        return False
    import zlib

    try:
        return zlib.decompressobj(31).decompress(head, 5).startswith(b"WARC/")
    except zlib.error:
        return False


def named_kind(path: Path) -> InputKind:
    """A file named on the command line: an export when it is a zip, else by its suffix."""
    try:
        with path.open("rb") as stream:
            head = stream.read(512)
        if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
            return WARC if suffix_of(path.name) == ".wacz" else EXPORT
        if _is_warc(head):
            return WARC
    except OSError:
        pass  # read_input says why
    return _kind_of(path)


def _is_export_folder(path: Path) -> bool:
    from threadkeep.account.folder_export import folder_export_root

    return folder_export_root(path) is not None


def inputs(paths: Iterable[str], *, skip: Collection[Path] = ()) -> Iterator[Input]:
    """Each input the arguments name: ``-`` (standard input), a file, or a folder's files.

    A folder contributes every file below it whose suffix is in :data:`SUFFIXES`, sorted;
    the folders and files in ``skip`` (a run's own output) are left out.
    """
    for part in _parts(paths, skip):
        yield from part


def input_list(paths: Iterable[str], *, skip: Collection[Path] = ()) -> InputList[Input]:
    """:func:`inputs` as a sequence, each WARC file's records kept compactly (a few bytes a
    record, each :class:`Input` made when asked for): what a run plans with.

    Example::

        run = plan(input_list(["crawl.warc.gz", "saved/"]), fmt="jsonl", output="out/")
    """
    return InputList[Input](_parts(paths, skip))


def _parts(paths: Iterable[str], skip: Collection[Path]) -> Iterator[Sequence[Input]]:
    for raw in paths:
        if raw == "-":
            yield (Input(label="<stdin>", path=None, relative=Path("stdin"), kind=PAGE),)
            continue
        path = Path(raw)
        if path.is_dir() and _is_export_folder(path):
            yield (Input(label=raw, path=path, relative=Path(path.name), kind=EXPORT),)
        elif path.is_dir():
            for file in walk(path, _BY_SUFFIX, skip=skip):
                found = Input(str(file), file, file.relative_to(path), _kind_of(file))
                yield found.kind.expand(found)
        else:
            given = Input(label=raw, path=path, relative=Path(path.name), kind=named_kind(path))
            yield given.kind.expand(given)


def read_input(item: Input, stdin: IO[bytes]) -> bytes:
    """The bytes of one input (``OSError`` when the file cannot be read)."""
    return item.kind.read(item, stdin)
