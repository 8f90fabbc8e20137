"""Where a batch's results go: output names planned up front, then written as each arrives.

:func:`plan_names` gives every input its file in an output folder in one linear pass (two
inputs that would share a name keep their own suffix, then a number). A sink receives each
result as it is rendered: :class:`FolderSink` writes one file per input, :class:`StreamSink`
writes JSON Lines, Markdown or JSON to stdout or to one file that appears whole at the end.
"""

from __future__ import annotations

import bisect
import contextlib
import json
import os
import stat
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import accumulate, chain
from pathlib import Path
from types import TracebackType
from typing import Literal, TextIO, overload

from threadkeep.batch.input_list import InputList, WarcRecords
from threadkeep.batch.inputs import Input
from threadkeep.files import OutputError, atomic_writer, write_atomic

__all__ = ["FolderSink", "Format", "Sink", "StreamSink", "is_folder", "plan_names"]

Format = Literal["json", "jsonl", "md"]
"""``json``: an indented document an input; ``jsonl``: one line each; ``md``: Markdown."""

_MD_SEPARATOR = "\n---\n\n"


def _writer(target: Path) -> contextlib.AbstractContextManager[TextIO]:
    """A regular file is written whole through a temporary file; a device or a named pipe
    (``-o /dev/null``, ``-o /dev/stderr``, a fifo) is written into: renaming a file over it
    would replace it (as root, /dev/null itself)."""
    try:
        special = not stat.S_ISREG(target.stat().st_mode)
    except OSError:  # missing (made by atomic_writer), or a problem atomic_writer names
        special = False
    if special:
        return open(target, "w", encoding="utf-8")  # entered by the caller
    return atomic_writer(target)


def is_folder(output: str, count: int) -> bool:
    """Whether ``-o output`` names a folder (one file per input) rather than one file."""
    path = Path(output)
    return path.is_dir() or output.endswith(("/", os.sep)) or (count > 1 and not path.suffix)


def plan_names(items: Sequence[Input], suffix: str) -> Sequence[Path]:
    """Each input's output file in a folder, in input order: ``page.html`` → ``page.json``.

    Two inputs that would land on one file (``a/page.html`` and ``b/page.html`` given as
    files, or ``x.html`` beside ``x.txt``) keep their own suffix (``x.html.json``), and a
    number if that still collides, so that no output overwrites another. Linear: the clashes
    are counted once, not looked up again for every input. A WARC's records (in an
    :class:`~threadkeep.batch.input_list.InputList`) whose folder no other input shares are
    each named ``OFFSET.json`` there when asked for, not held: a crawl's million names would
    take a hundred megabytes.
    """
    parts = items.parts if isinstance(items, InputList) else (items,)
    alone = _alone(parts, suffix)
    named = _names([item for n, part in enumerate(parts) if n not in alone for item in part],
                   suffix)  # fmt: skip
    return _OutputNames(parts, alone, named, suffix) if alone else named


def _alone(parts: Sequence[Sequence[Input]], suffix: str) -> set[int]:
    """The parts (by number) that are a WARC's records no other input's name can meet: every
    name given stays in the folder of the input's plain name, so no other may share it."""
    records = [part for part in parts if isinstance(part, WarcRecords)]
    if not records:
        return set()
    folders = Counter(part.folder for part in records)
    others = {item.relative.with_suffix(suffix).parent for part in parts
              if not isinstance(part, WarcRecords) for item in part}  # fmt: skip
    return {
        n
        for n, part in enumerate(parts)
        if isinstance(part, WarcRecords)
        and part.ascending
        and folders[part.folder] == 1
        and part.folder not in others
    }


def _names(items: Sequence[Input], suffix: str) -> list[Path]:
    plain = [item.relative.with_suffix(suffix) for item in items]
    clashes = Counter(plain)
    taken: dict[Path, int] = {}
    names: list[Path] = []
    for item, target in zip(items, plain, strict=True):
        if clashes[target] > 1:
            target = item.relative.with_name(item.relative.name + suffix)
        while target in taken:
            taken[target] += 1
            target = target.with_name(f"{target.stem}-{taken[target]}{suffix}")
        taken[target] = 1
        names.append(target)
    return names


class _OutputNames(Sequence[Path]):
    """:func:`plan_names`'s answer: the held names, and the WARC records' made on access."""

    def __init__(self, parts: Sequence[Sequence[Input]], alone: set[int], named: list[Path],
                 suffix: str) -> None:  # fmt: skip
        self._parts, self._alone, self._named, self._suffix = parts, alone, named, suffix
        self._ends = array("q", accumulate(len(part) for part in parts))
        held = (0 if n in alone else len(part) for n, part in enumerate(parts))
        self._held = array("q", chain([0], accumulate(held)))  # held names before each part

    def __len__(self) -> int:
        return self._ends[-1] if self._ends else 0

    @overload
    def __getitem__(self, index: int) -> Path: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Path]: ...
    def __getitem__(self, index: int | slice) -> Path | Sequence[Path]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                return tuple(self[i] for i in range(start, stop, step))
            return self._range(start, stop)
        index = range(len(self))[index]
        number = bisect.bisect_right(self._ends, index)
        within = index - (self._ends[number - 1] if number else 0)
        part = self._parts[number]
        if number in self._alone and isinstance(part, WarcRecords):
            return part.folder / f"{part.offset(within)}{self._suffix}"
        return self._named[self._held[number] + within]

    def _range(self, start: int, stop: int) -> _OutputNames:
        """Names ``start`` to ``stop``, as compact as these (a Dask task's range is sent)."""
        parts: list[Sequence[Input]] = []
        alone: set[int] = set()
        named: list[Path] = []
        for number, part in enumerate(self._parts):
            first = self._ends[number - 1] if number else 0
            low, high = max(start - first, 0), min(stop - first, len(part))
            if low >= high:
                continue
            if number in self._alone:
                alone.add(len(parts))
            else:
                held = self._held[number]
                named += self._named[held + low : held + high]
            parts.append(part[low:high])
        return _OutputNames(parts, alone, named, self._suffix)


def _element(document: str) -> str:
    """A JSON document as an element of an indented array, as ``json.dumps(list)`` puts it."""
    text = json.dumps(json.loads(document), indent=2, ensure_ascii=False)
    return "  " + text.replace("\n", "\n  ")


class Sink(contextlib.AbstractContextManager["Sink"]):
    """Receives each rendered result; leaving the ``with`` block finishes the output."""

    def put(self, index: int, text: str) -> Path | None:
        """Write the rendering of input ``index``; return the file written, if one was."""
        raise NotImplementedError

    def put_chunks(self, index: int, chunks: Iterable[str]) -> Path | None:
        """:meth:`put` for a rendering made in pieces (an account export's JSON), written
        piece by piece where the output allows it."""
        return self.put(index, "".join(chunks))

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None


class FolderSink(Sink):
    """One file per input, each written whole (at ``folder / names[index]``)."""

    def __init__(self, folder: Path, names: Sequence[Path]) -> None:
        self.folder = folder
        self.names = names

    def put(self, index: int, text: str) -> Path | None:
        target = self.folder / self.names[index]
        try:
            write_atomic(target, text)
        except OSError as exc:
            raise OutputError.writing(target, exc) from exc
        return target

    def put_chunks(self, index: int, chunks: Iterable[str]) -> Path | None:
        target = self.folder / self.names[index]
        try:
            with atomic_writer(target) as stream:
                stream.writelines(chunks)
        except OSError as exc:
            raise OutputError.writing(target, exc) from exc
        return target


class StreamSink(Sink):
    """Results one after another on a stream (stdout), or into one file written whole.

    ``jsonl`` and ``md`` are written as each result arrives. ``json`` holds the first
    document until a second arrives: one result is printed as a plain object, several as
    one array (each element written as it arrives, byte for byte what ``json.dumps`` of the
    whole list with ``indent=2`` would give).
    """

    def __init__(
        self, fmt: Format, *, stream: TextIO | None, target: Path | None, single: bool = False
    ) -> None:
        self.fmt = fmt
        self.single = single  # one input only: a json document is never held for an array
        self.stream = stream
        self.target = target
        self.count = 0
        self.held: str | None = None
        self._file = contextlib.ExitStack()

    def _out(self) -> TextIO:
        if self.stream is None:  # the file is made at the first result: none if all fail
            target = self.target or Path("-")
            try:
                self.stream = self._file.enter_context(_writer(target))
            except OSError as exc:
                raise OutputError.writing(target, exc) from exc
        return self.stream

    def _write(self, text: str) -> None:
        out = self._out()
        try:
            out.write(text)
            out.flush()  # each result reaches a pipe as it is done, not at the end
        except BrokenPipeError:
            raise  # the reader went away (`| head`): the run ends, as a pipe's writer does
        except OSError as exc:
            raise OutputError.writing(self.target or "<stdout>", exc) from exc

    def put(self, index: int, text: str) -> Path | None:
        self.count += 1
        if self.fmt == "json":
            element = _element(text)
            if self.count == 1:
                self.held = text
            elif self.count == 2:
                self._write("[\n" + _element(self.held or "") + ",\n" + element)
                self.held = None
            else:
                self._write(",\n" + element)
        else:
            self._write(text if self.count == 1 or self.fmt != "md" else _MD_SEPARATOR + text)
        return self.target

    def put_chunks(self, index: int, chunks: Iterable[str]) -> Path | None:
        if self.fmt == "json" and not self.single:
            return self.put(index, "".join(chunks))
        self.count += 1
        if self.count > 1 and self.fmt == "md":
            self._write(_MD_SEPARATOR)
        out = self._out()
        try:
            out.writelines(chunks)
            out.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError.writing(self.target or "<stdout>", exc) from exc
        return self.target

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is None:
            if self.held is not None:
                self._write(self.held)
            elif self.fmt == "json" and self.count > 1:
                self._write("\n]\n")
        try:
            self._file.__exit__(kind, exc, traceback)
        except OSError as error:
            raise OutputError.writing(self.target or "<stdout>", error) from error
