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
import copy
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import accumulate, chain
from pathlib import Path
from typing import Any, TypeVar, overload

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
    the record gives it again. A slice is a view of the same columns (a Dask run holds one a
    task), pickled as a copy of its own range only.
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
        self._low, self._high = 0, 0  # the view: columns[_low:_high]
        self.ascending = True
        """Every offset greater than the one before (so each record's output name is its own)."""
        for ref in refs:
            self._add(ref)
        self._high = len(self._offsets)

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
        return self._high - self._low

    def _at(self, index: int) -> int:
        """The column position of record ``index`` (negative: counted from the end)."""
        return self._low + range(len(self))[index]

    def offset(self, index: int) -> int:
        """Where record ``index`` starts in the WARC."""
        return self._offsets[self._at(index)]

    def ref(self, index: int) -> Ref:
        """Record ``index``'s :class:`Ref` (without its url)."""
        at = self._at(index)
        original, flags = self._originals[at], self._flags[at]
        return Ref(
            self._offsets[at],
            original=None if original == _NO_ORIGINAL else original,
            unresolved=bool(flags & _UNRESOLVED),
            damage=self._damage.get(at) if flags & _DAMAGED else None,
            nothing=bool(flags & _NOTHING),
        )

    @overload
    def __getitem__(self, index: int) -> Input: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Input]: ...
    def __getitem__(self, index: int | slice) -> Input | Sequence[Input]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                return tuple(self[i] for i in range(start, stop, step))
            view = copy.copy(self)  # the same columns
            view._low, view._high = self._low + start, self._low + max(start, stop)
            return view
        ref = self.ref(index)
        return self.make(self.source, ref, self.folder / str(ref.offset))

    def __reduce__(self) -> tuple[Any, ...]:
        low, high = self._low, self._high
        damage = {at - low: why for at, why in self._damage.items() if low <= at < high}
        columns = (self._offsets[low:high], self._originals[low:high], self._flags[low:high])
        return _rebuilt, (self.make, self.source, self.folder, columns, damage, self.ascending)


def _rebuilt(
    make: Callable[[Source, Ref, Path], Input],
    source: Source,
    folder: Path,
    columns: tuple[array[int], array[int], array[int]],
    damage: dict[int, str],
    ascending: bool,
) -> WarcRecords[Input]:
    """A pickled :class:`WarcRecords` (or view of one) back."""
    records = WarcRecords(make, source, folder, ())
    records._offsets, records._originals, records._flags = columns
    records._damage, records.ascending = damage, ascending
    records._high = len(columns[0])
    return records


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
