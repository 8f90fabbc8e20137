"""The write lock of a store in an S3 bucket: a lease object, taken and kept by conditional writes.

A bucket has no file lock, so the store's ``lock`` there is ``lease.json``:
``{"holder", "host", "pid", "purpose", "taken", "expires"}``. It is

* **taken**: when it exists (in a store in use, it does), its holder's ``expires`` is read:
  a lease released (``expires`` at the epoch) or expired for longer than a margin (30 s, for
  clocks that differ) is taken over by a write conditional on the ETag read (``If-Match``),
  so that of several takers exactly one wins; when it does not, it is created
  (``If-None-Match: *``). Otherwise the taker waits (50 ms doubling to 1 s) until
  ``timeout``, then raises :class:`~threadkeep.errors.LockTimeout` naming the holder, its
  host, pid, purpose and expiry.
* **kept** by a daemon thread that renews it (``If-Match`` on its own ETag) every 15 s for
  another 60 s. A renewal refused (someone took the lease over) or not made for 45 s marks the
  lease lost: the holder's next write raises :class:`~threadkeep.errors.LeaseLost`, before it
  writes, and nothing it writes after the new holder took over can land.
* **released** by rewriting it, conditionally on its own ETag, as expired at the epoch (a
  conditional DELETE is not offered by every S3-protocol store). The ETag of that write is
  kept (``released``): the same process's next take tries a write conditional on it first,
  which succeeds when no one has touched the lease since (one request, not two).

Expiry is judged on the taker's clock against the holder's: machines sharing a bucket must
keep their clocks within the margin (NTP).
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Protocol

from threadkeep.errors import LeaseLost, LockTimeout

__all__ = ["EXPIRY", "LEASE", "MARGIN", "RENEW_EVERY", "Conditional", "Lease"]

LEASE = "lease.json"
EXPIRY = 60.0  # seconds a lease is good for after each renewal
RENEW_EVERY = 15.0
MARGIN = 30.0  # past its expiry, how long a lease is left to its holder (clock skew)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Conditional(Protocol):
    """The conditional operations a lease is made of (:class:`~threadkeep.archive.s3.S3Storage`)."""

    def get_tagged(self, path: str) -> tuple[bytes, str]:
        """The object's bytes and ETag; :class:`FileNotFoundError` when absent."""
        ...

    def put_new(self, path: str, data: bytes) -> str | None:
        """Create the object (``If-None-Match: *``): its ETag, or None when it exists."""
        ...

    def put_if(self, path: str, data: bytes, etag: str) -> str | None:
        """Replace the object if its ETag is ``etag``: the new ETag, or None when it is not."""
        ...


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_time(text: object) -> datetime:
    try:
        return datetime.strptime(str(text), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    except ValueError:
        return _EPOCH  # unreadable: taken for released


class Lease:
    """One holder's lease on a store (see the module docstring); ``where`` names the store in
    messages. Use :meth:`take` and :meth:`release`, or :meth:`hold` as a context manager."""

    def __init__(
        self,
        objects: Conditional,
        *,
        where: str,
        purpose: str = "write",
        expiry: float = EXPIRY,
        renew_every: float = RENEW_EVERY,
        margin: float = MARGIN,
        released: str | None = None,
    ) -> None:
        self.objects = objects
        self.released = released  # the ETag of the lease as this process last released it
        self.where = where
        self.purpose = purpose
        self.expiry = expiry
        self.renew_every = renew_every
        self.margin = margin
        self.holder = uuid.uuid4().hex
        self.etag: str | None = None
        self.lost = False
        self._valid_until = 0.0  # monotonic: past it, not renewed for too long
        self._taken = _EPOCH
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._guard = threading.Lock()  # one conditional write of ours at a time

    def _record(self, expires: datetime) -> bytes:
        return json.dumps(
            {
                "holder": self.holder,
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "purpose": self.purpose,
                "taken": _iso(self._taken),
                "expires": _iso(expires),
            }
        ).encode()

    def take(self, timeout: float) -> None:
        """Take the lease, waiting at most ``timeout`` seconds for its holder to let it go."""
        deadline = time.monotonic() + timeout
        delay = 0.05
        known, self.released = self.released, None
        while True:
            now = datetime.now(UTC)
            self._taken = now
            started = time.monotonic()
            record = self._record(now + timedelta(seconds=self.expiry))
            etag = None
            raced = False  # a conditional write refused: another taker moved first
            held: dict[str, object] = {}
            if known is not None:  # as this process released it, unless touched since
                etag, known = self.objects.put_if(LEASE, record, known), None
            if etag is None:
                try:
                    body, current = self.objects.get_tagged(LEASE)
                except FileNotFoundError:
                    etag = self.objects.put_new(LEASE, record)
                    raced = etag is None  # created by another taker meanwhile: read it
                else:
                    held = _read(body)
                    expires = _parse_time(held.get("expires"))
                    if expires + timedelta(seconds=self.margin) <= now:
                        etag = self.objects.put_if(LEASE, record, current)
                        raced = etag is None  # another taker won: read who holds it now
            if etag is not None:
                self.etag = etag
                self.lost = False
                self._valid_until = started + self._good_for()
                self._start_renewing()
                return
            left = deadline - time.monotonic()
            if left <= 0:
                raise LockTimeout(_held_message(self.where, held, timeout), path=self.where)
            if raced:  # read again soon (a store whose reads lag its writes: not at once)
                time.sleep(min(0.01, left))
                continue
            time.sleep(min(delay, left))
            delay = min(delay * 2, 1.0)

    def _good_for(self) -> float:
        """How long after a renewal was sent the lease is taken for ours without another:
        its expiry less one renewal period (45 s of 60), so that a holder that cannot renew
        stops writing well before anyone may take the lease over."""
        return self.expiry - min(self.renew_every, self.expiry / 4)

    def _start_renewing(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._renewing, name="threadkeep-lease", daemon=True)
        self._thread.start()

    def _renewing(self) -> None:
        while not self._stop.wait(self.renew_every):
            if not self.renew():
                return

    def renew(self) -> bool:
        """Extend the lease now; False when it is lost (taken over, or not renewed in time)."""
        with self._guard:
            if self.lost or self.etag is None:
                return False
            if time.monotonic() > self._valid_until:
                self.lost = True
                return False
            started = time.monotonic()
            record = self._record(datetime.now(UTC) + timedelta(seconds=self.expiry))
            try:
                etag = self.objects.put_if(LEASE, record, self.etag)
            except Exception:  # the store unreachable for now: the next tick tries again
                return True
            if etag is None:
                self.lost = True
                return False
            self.etag = etag
            self._valid_until = started + self._good_for()
            return True

    def check(self) -> None:
        """Raise :class:`LeaseLost` unless the lease is still ours (called before each write)."""
        if self.lost or time.monotonic() > self._valid_until:
            self.lost = True
            raise LeaseLost(
                f"the write lease on {self.where} was lost (not renewed in time, or taken over "
                "by another process): this process stopped writing; run the command again",
                path=self.where,
            )

    def release(self) -> None:
        """Let the lease go (rewritten as expired at the epoch), if it is still ours."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        self._thread = None
        with self._guard:
            if self.lost or self.etag is None:
                return
            try:
                self.released = self.objects.put_if(LEASE, self._record(_EPOCH), self.etag)
            finally:
                self.etag = None


def _read(body: bytes) -> dict[str, object]:
    try:
        held = json.loads(body)
    except ValueError:
        return {}
    return held if isinstance(held, dict) else {}


def _held_message(where: str, held: dict[str, object], timeout: float) -> str:
    return (
        f"another process has held the write lease on {where} for over {timeout:g} s "
        f"(holder {held.get('holder', '?')} on host {held.get('host', '?')}, "
        f"pid {held.get('pid', '?')}, for {held.get('purpose', '?')}, "
        f"expires {held.get('expires', '?')}); try again when it is done"
    )
