"""Content codings, undone by threadkeep in bounded steps: what a body may cost to decode.

A server may compress its answer (``Content-Encoding``), and a small body may expand a
million times over: 10 KB of gzip of gzip make 4 GiB of zeros. httpx decodes a whole chunk
at once before the caller sees a byte, so the size cap came too late (8.4 GB for that body).
threadkeep therefore reads the body as sent and undoes its codings here, one step at a time:

* **Bounded steps.** Each step of each coding yields at most :data:`STEP` bytes
  (``zlib``'s ``max_length``; what the step did not consume is fed back next step), and every
  step's output is counted before the next is made. Decoding a body never holds more than a
  few steps, whatever it expands to.
* **Every layer counts.** Stacked codings (``Content-Encoding: deflate, gzip``: gzip applied
  last, undone first) are chained, each layer's steps feeding the next, rather than refused:
  RFC 9110 allows them and the bounded steps make them safe. Every layer's output counts
  against the cap, not only the last: a layer that expands to nothing (gzip of a million
  empty gzip members) is bounded too. More than :data:`MAX_LAYERS` codings are refused; no
  server has a reason to stack them, and each costs a zlib window.
* **Only what was asked for.** Requests carry ``Accept-Encoding:`` :data:`ACCEPT_ENCODING`,
  the codings decoded here (gzip, deflate in its zlib and its raw form, identity; ``x-gzip``
  is read as gzip, as RFC 9110 says). brotli and zstd are not asked for (their packages are
  not dependencies); an answer in them, or in any other coding, is refused by name rather
  than kept as undecoded bytes.
* **Whole streams.** A stream cut short, or damaged, is a :class:`~threadkeep.errors.FetchError`
  saying so, never a ``zlib.error`` and never a silently shortened body. Concatenated gzip
  members (RFC 1952) are all read; bytes after a stream's end that start no member are ignored,
  as browsers and httpx do.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

from threadkeep.errors import FetchError, ResponseTooLarge
from threadkeep.fetch.failures import Failure

__all__ = ["ACCEPT_ENCODING", "MAX_LAYERS", "STEP", "Decoder"]

ACCEPT_ENCODING = "gzip, deflate"
STEP = 64 * 1024
MAX_LAYERS = 3

_GZIP_MAGIC = b"\x1f\x8b"
_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


def _undecodable(problem: str) -> Failure:
    return Failure(FetchError, f"the body cannot be decoded: {problem}")


class _Inflate:
    """One gzip or deflate layer, inflated at most :data:`STEP` bytes a step.

    ``cap`` bounds the bytes this layer makes in all (None: its reader counts them).
    """

    def __init__(self, coding: str, cap: int | None) -> None:
        self.name = "gzip" if coding == "x-gzip" else coding
        self.cap, self.made, self.seen, self.ended = cap, 0, False, False
        self._zlib = zlib.decompressobj(_WBITS[coding])
        # "deflate" may come without its zlib header: the bytes before zlib has read one.
        self._head: bytes | None = b"" if self.name == "deflate" else None
        self._carry = b""  # the start of a gzip member's magic, split across two chunks

    def feed(self, data: bytes) -> Iterator[bytes]:
        """The bytes ``data`` decodes to, a step at a time."""
        data, self._carry = self._carry + data, b""
        self.seen = self.seen or bool(data)
        more = bool(data)
        while more:
            if self._zlib.eof and not (data := self._next_member(data)):
                return
            piece = self._step(data)
            data = self._zlib.unused_data if self._zlib.eof else self._zlib.unconsumed_tail
            if piece:
                yield self._counted(piece)
            # A full step may have left output inside zlib: step again, with no new input.
            more = bool(data) or (len(piece) == STEP and not self._zlib.eof)

    def finish(self) -> None:
        """Fail if the stream stopped before its end (an empty body is no stream: fine)."""
        if self.seen and not self._zlib.eof:
            raise _undecodable(f"its {self.name} stream is cut short")

    def _step(self, data: bytes) -> bytes:
        if self._head is not None:
            self._head += data
        try:
            piece = self._zlib.decompress(data, STEP)
        except zlib.error:
            if self._head is None:
                raise _undecodable(f"its {self.name} stream is damaged") from None
            # Some servers send "deflate" without its zlib wrapper (RFC 1951 alone): read it so.
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
            data, self._head = self._head, None
            return self._step(data)
        if self._head is not None and len(self._head) >= 2:
            self._head = None  # zlib read its two-byte header: no fallback from now on
        return piece

    def _counted(self, piece: bytes) -> bytes:
        self.made += len(piece)
        if self.cap is not None and self.made > self.cap:
            problem = (
                f"the body went past the {self.cap}-byte cap while decoding its {self.name} "
                "coding; the rest was not read"
            )
            raise Failure(ResponseTooLarge, problem, "raise max_bytes to fetch it")
        return piece

    def _next_member(self, data: bytes) -> bytes:
        """After a stream's end: the next gzip member to read, or b"" (the rest is ignored)."""
        if self.ended or self.name != "gzip":
            self.ended = True
            return b""
        if len(data) < len(_GZIP_MAGIC) and _GZIP_MAGIC.startswith(data):
            self._carry = data  # one byte of what may be a member: wait for the next chunk
            return b""
        if not data.startswith(_GZIP_MAGIC):
            self.ended = True
            return b""
        self._zlib = zlib.decompressobj(_WBITS["gzip"])
        return data


class Decoder:
    """The codings a ``Content-Encoding`` header names, undone in bounded steps.

    Refuses at once, before any of the body is read, a coding threadkeep did not ask for and
    more than :data:`MAX_LAYERS` stacked. ``cap`` bounds every layer but the last, whose
    output is the body and is counted by its reader (:class:`~threadkeep.fetch.body.Body`).

    >>> import gzip
    >>> decoder = Decoder("gzip", cap=1000)
    >>> b"".join(decoder.feed(gzip.compress(b"<p>hi</p>")))
    b'<p>hi</p>'
    """

    def __init__(self, header: str | None, *, cap: int) -> None:
        codings = [name.strip().lower() for name in (header or "").split(",")]
        codings = [name for name in codings if name not in ("", "identity")]
        for name in codings:
            if name not in _WBITS:
                problem = (
                    f"the server answered in the {name!r} content coding, which threadkeep "
                    "did not ask for and does not decode"
                )
                raise Failure(FetchError, problem, f"threadkeep asks for {ACCEPT_ENCODING}")
        if len(codings) > MAX_LAYERS:
            problem = (
                f"{len(codings)} content codings stacked; threadkeep unwraps at most {MAX_LAYERS}"
            )
            raise Failure(FetchError, problem)
        # The coding named last was applied last: it is undone first.
        undo = codings[::-1]
        self.layers = [
            _Inflate(name, cap if n < len(undo) - 1 else None) for n, name in enumerate(undo)
        ]

    def feed(self, data: bytes) -> Iterable[bytes]:
        """The decoded bytes of the next chunk as sent, in steps of at most :data:`STEP`."""
        stream: Iterable[bytes] = (data,)
        for layer in self.layers:
            stream = _through(layer, stream)
        return stream

    def finish(self) -> None:
        """After the last chunk: fail if a stream was cut short."""
        for layer in self.layers:
            layer.finish()


def _through(layer: _Inflate, stream: Iterable[bytes]) -> Iterator[bytes]:
    for data in stream:
        yield from layer.feed(data)
