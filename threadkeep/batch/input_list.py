"""A run's inputs as one sequence, a WARC file's page records kept in a few bytes each.

A crawl holds millions of records; an :class:`~threadkeep.batch.inputs.Input` object for each,
made before the first is read, would take most of a gigabyte. :class:`WarcRecords` keeps one
WARC's records as columns of numbers (offset, revisited original, flags: 17 bytes a record)
and makes each record's ``Input`` (its label, output place and :class:`Ref`) when it is asked
for. :class:`InputList` strings such parts and the plain inputs of a run into one sequence,
indexed and sliced as a tuple is (``convert`` walks it by index, Dask cuts it in ranges).
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import accumulate, chain
from pathlib import Path
from typing import TypeVar, overload

from threadkeep.warc.index import Ref
from threadkeep.warc.read import Source

Input = TypeVar("Input")  # an Input of threadkeep.batch.inputs, which builds these tables
__all__ = ["InputList", "WarcRecords"]

_UNRESOLVED, _NOTHING, _DAMAGED = 1, 2, 4
_NO_ORIGINAL = -1


class WarcRecords(Sequence[Input]):
    """The page records of one WARC (``source``), each an input made on access.

    Record ``i`` is ``make(source, ref, folder / OFFSET)``: labelled ``crawl.warc.gz at
    OFFSET``, its output placed at ``folder / OFFSET``. A record's url is not kept: reading
    the record gives it again.
    """

    def __init__(
        self,
        make: Callable[[Source, Ref, Path], Input],
        source: Source,
        folder: Path,
        refs: Iterable[Ref],
    ) -> None:
        self.make, self.source, self.folder = make, source, folder
        self._offsets, self._originals, self._flags = array("q"), array("q"), array("B")
        self._damage: dict[int, str] = {}  # index → why that record cannot be read (rare)
        self.ascending = True
        """Every offset greater than the one before (so each record's output name is its own)."""
        for ref in refs:
            self._add(ref)

    def _add(self, ref: Ref) -> None:
        if self._offsets and ref.offset <= self._offsets[-1]:
            self.ascending = False
        if ref.damage is not None:
            self._damage[len(self._offsets)] = ref.damage
        self._offsets.append(ref.offset)
        self._originals.append(_NO_ORIGINAL if ref.original is None else ref.original)
        flags = (_UNRESOLVED if ref.unresolved else 0) | (_NOTHING if ref.nothing else 0)
        self._flags.append(flags | (_DAMAGED if ref.damage is not None else 0))

    def __len__(self) -> int:
        return len(self._offsets)

    def offset(self, index: int) -> int:
        """Where record ``index`` starts in the WARC."""
        return self._offsets[index]

    def ref(self, index: int) -> Ref:
        """Record ``index``'s :class:`Ref` (without its url)."""
        index = range(len(self))[index]  # a negative index counted from the end, as a tuple's
        original, flags = self._originals[index], self._flags[index]
        return Ref(
            self._offsets[index],
            original=None if original == _NO_ORIGINAL else original,
            unresolved=bool(flags & _UNRESOLVED),
            damage=self._damage.get(index) if flags & _DAMAGED else None,
            nothing=bool(flags & _NOTHING),
        )

    @overload
    def __getitem__(self, index: int) -> Input: ...
    @overload
    def __getitem__(self, index: slice) -> WarcRecords[Input]: ...
    def __getitem__(self, index: int | slice) -> Input | WarcRecords[Input]:
        if isinstance(index, slice):  # compact too: a Dask task's range is sent as one
            start, stop, step = index.indices(len(self))
            part = WarcRecords(self.make, self.source, self.folder, ())
            part._offsets = self._offsets[start:stop:step]
            part._originals = self._originals[start:stop:step]
            part._flags = self._flags[start:stop:step]
            span = range(start, stop, step)
            part._damage = {span.index(i): why for i, why in self._damage.items() if i in span}
            part.ascending = self.ascending and step > 0
            return part
        ref = self.ref(index)
        return self.make(self.source, ref, self.folder / str(ref.offset))


class InputList(Sequence[Input]):
    """A run's inputs in order: parts (tuples of inputs, :class:`WarcRecords`) end to end."""

    def __init__(self, parts: Iterable[Sequence[Input]]) -> None:
        self.parts: tuple[Sequence[Input], ...] = tuple(_joined(parts))
        self._ends = array("q", accumulate(len(part) for part in self.parts))

    def __len__(self) -> int:
        return self._ends[-1] if self._ends else 0

    def starts(self) -> Iterator[tuple[int, Sequence[Input]]]:
        """Each part with the index of its first input."""
        return zip(chain([0], self._ends), self.parts, strict=False)

    def __iter__(self) -> Iterator[Input]:
        for part in self.parts:
            yield from part

    @overload
    def __getitem__(self, index: int) -> Input: ...
    @overload
    def __getitem__(self, index: slice) -> InputList[Input]: ...
    def __getitem__(self, index: int | slice) -> Input | InputList[Input]:
        if isinstance(index, slice):  # each part sliced compactly: a Dask task's range
            start, stop, step = index.indices(len(self))
            if step != 1:
                return InputList([tuple(self[i] for i in range(start, stop, step))])
            return InputList(part[max(start - first, 0) : stop - first]
                             for first, part in self.starts() if first < stop)  # fmt: skip
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("input index out of range")
        number = bisect.bisect_right(self._ends, index)
        start = self._ends[number - 1] if number else 0
        return self.parts[number][index - start]


def _joined(parts: Iterable[Sequence[Input]]) -> Iterator[Sequence[Input]]:
    """``parts`` with runs of plain inputs joined into one tuple, empty parts dropped, and an
    InputList's own parts taken in."""
    plain: list[Input] = []
    for part in parts:
        if isinstance(part, InputList | WarcRecords):
            if plain:
                yield tuple(plain)
                plain = []
            yield from part.parts if isinstance(part, InputList) else [part] if part else []
        else:
            plain.extend(part)
    if plain:
        yield tuple(plain)
