"""The write lease of a store in a bucket (threadkeep/archive/lease.py), on the loopback S3
server: taken, renewed and released by conditional writes; an expired lease taken over by
exactly one of several processes; a clear LockTimeout; a holder that lost its lease stops
before its next write."""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.s3_server import fixtures
from threadkeep.errors import ArchiveError, LeaseLost, LockTimeout

s3_server, s3_store = fixtures()
pytest.importorskip("obstore")

from threadkeep.archive.lease import LEASE, Lease  # noqa: E402
from threadkeep.archive.s3 import S3Storage  # noqa: E402


def _held(storage: S3Storage) -> dict[str, Any]:
    held: dict[str, Any] = json.loads(storage.read(LEASE))
    return held


def _expired_record(storage: S3Storage, *, ago: float) -> None:
    when = datetime.now(UTC) - timedelta(seconds=ago)
    record = {
        "holder": "dead",
        "host": "gone",
        "pid": 1,
        "purpose": "merge",
        "taken": when.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "expires": when.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }
    storage.write_atomic(LEASE, json.dumps(record).encode())


def test_take_renew_release(s3_store: str) -> None:
    storage = S3Storage(s3_store)
    lease = Lease(storage, where=s3_store, purpose="merge")
    lease.take(timeout=1)
    try:
        first = _held(storage)
        assert first["holder"] == lease.holder
        assert first["pid"] == os.getpid()
        assert first["purpose"] == "merge"
        etag = lease.etag
        time.sleep(0.01)
        assert lease.renew() is True
        assert lease.etag != etag
        assert _held(storage)["expires"] > first["expires"]
        lease.check()
    finally:
        lease.release()
    assert _held(storage)["expires"].startswith("1970-01-01")
    other = Lease(storage, where=s3_store)
    other.take(timeout=0)  # a released lease is free at once
    other.release()


class _Counted:
    """The storage's conditional calls, counted (what each take costs in requests)."""

    def __init__(self, storage: S3Storage) -> None:
        self.storage = storage
        self.calls: list[str] = []

    def get_tagged(self, path: str) -> tuple[bytes, str]:
        self.calls.append("get")
        return self.storage.get_tagged(path)

    def put_new(self, path: str, data: bytes) -> str | None:
        self.calls.append("put_new")
        return self.storage.put_new(path, data)

    def put_if(self, path: str, data: bytes, etag: str) -> str | None:
        self.calls.append("put_if")
        return self.storage.put_if(path, data, etag)


def test_a_lease_released_and_untouched_is_taken_again_in_one_request(s3_store: str) -> None:
    """The ETag of its release lets the same process take it again with one conditional
    write; when another took it meanwhile, that write is refused and the lease is read (never
    two holders)."""
    storage = S3Storage(s3_store)
    objects = _Counted(storage)
    first = Lease(objects, where=s3_store)
    first.take(timeout=1)
    first.release()
    assert objects.calls == ["get", "put_new", "put_if"]  # none yet: created; released
    objects.calls.clear()
    again = Lease(objects, where=s3_store, released=first.released)
    again.take(timeout=1)
    assert objects.calls == ["put_if"]
    assert _held(storage)["holder"] == again.holder
    again.release()
    other = Lease(storage, where=s3_store)  # another process takes it between two of ours
    other.take(timeout=0)
    try:
        objects.calls.clear()
        late = Lease(objects, where=s3_store, released=again.released)
        with pytest.raises(LockTimeout):
            late.take(timeout=0.2)  # its stale ETag is refused: the live holder keeps it
        assert objects.calls[:2] == ["put_if", "get"]
        assert _held(storage)["holder"] == other.holder
        other.check()
    finally:
        other.release()


def test_the_daemon_thread_keeps_the_lease(s3_store: str) -> None:
    storage = S3Storage(s3_store)
    lease = Lease(storage, where=s3_store, expiry=1.0, renew_every=0.2, margin=0.0)
    lease.take(timeout=1)
    try:
        before = _held(storage)["expires"]
        time.sleep(1.5)  # past the first expiry: renewed meanwhile
        lease.check()
        assert _held(storage)["expires"] > before
        with pytest.raises(LockTimeout):
            Lease(storage, where=s3_store, margin=0.0).take(timeout=0.3)
    finally:
        lease.release()


def test_a_live_lease_times_out_a_taker_with_a_clear_message(s3_store: str) -> None:
    storage = S3Storage(s3_store)
    with storage.lock(5, purpose="reparse"):
        holder = _held(storage)
        started = time.monotonic()
        with pytest.raises(LockTimeout) as timed_out:
            S3Storage(s3_store).lock(0.4).__enter__()
        assert time.monotonic() - started < 5
    message = str(timed_out.value)
    for part in (holder["holder"], holder["host"], str(holder["pid"]), "reparse", "expires"):
        assert part in message
    assert s3_store in message


def test_a_lease_is_taken_over_only_after_its_expiry_and_margin(s3_store: str) -> None:
    storage = S3Storage(s3_store)
    _expired_record(storage, ago=5)  # expired, but within the 30 s margin
    with pytest.raises(LockTimeout, match="dead"):
        Lease(storage, where=s3_store).take(timeout=0.2)
    _expired_record(storage, ago=31)
    lease = Lease(storage, where=s3_store)
    lease.take(timeout=0)
    assert _held(storage)["holder"] == lease.holder
    lease.release()


def test_the_store_lock_is_reentrant_and_writes_under_it(s3_store: str) -> None:
    storage = S3Storage(s3_store)
    with storage.lock(1):
        with storage.lock(1):
            storage.write_atomic("gen-1/a.json", b"{}")
        storage.write_atomic("gen-1/b.json", b"{}")
        assert _held(storage)["expires"] > "1970-01-02"
    assert _held(storage)["expires"].startswith("1970-01-01")


def test_a_lease_taken_over_makes_the_next_write_raise(s3_store: str) -> None:
    storage = S3Storage(s3_store)
    with storage.lock(1):
        storage.write_atomic("gen-1/before.json", b"{}")
        _expired_record(storage, ago=0)  # another process's record: our ETag is stale
        assert storage._lease is not None
        assert storage._lease.renew() is False
        with pytest.raises(LeaseLost):
            storage.write_atomic("gen-1/after.json", b"{}")
    assert storage.exists("gen-1/before.json")
    assert not storage.exists("gen-1/after.json")
    assert _held(storage)["holder"] == "dead"  # the lost lease's release wrote nothing


def test_a_lease_not_renewed_in_time_is_lost(s3_store: str) -> None:
    storage = S3Storage(s3_store)
    lease = Lease(storage, where=s3_store, expiry=0.4, renew_every=60.0)
    lease.take(timeout=1)
    lease.check()
    time.sleep(0.5)
    with pytest.raises(LeaseLost) as lost:
        lease.check()
    assert isinstance(lost.value, ArchiveError)
    lease.release()


def _contend(location: str, start: Any, done: Any, results: Any) -> None:
    storage = S3Storage(location)
    lease = Lease(storage, where=location)
    start.wait()
    try:
        lease.take(timeout=0)
        results.put(("won", lease.holder))
    except LockTimeout:
        results.put(("lost", lease.holder))
    done.wait()  # the winner holds it until every taker has tried
    lease.release()


def test_an_expired_lease_is_taken_by_exactly_one_of_eight_processes(s3_store: str) -> None:
    storage = S3Storage(s3_store)
    _expired_record(storage, ago=120)
    spawn = multiprocessing.get_context("spawn")  # obstore is not safe across fork
    start, done, results = spawn.Barrier(8), spawn.Barrier(8), spawn.Queue()
    takers = [
        spawn.Process(target=_contend, args=(s3_store, start, done, results)) for _ in range(8)
    ]
    for taker in takers:
        taker.start()
    outcomes = [results.get(timeout=120) for _ in takers]
    for taker in takers:
        taker.join(timeout=120)
        assert taker.exitcode == 0
    winners = [holder for outcome, holder in outcomes if outcome == "won"]
    assert len(winners) == 1, outcomes
    assert _held(storage)["expires"].startswith("1970-01-01")  # released by the winner


class _Lagging:
    """A store whose reads lag its writes: the lease reads as absent, yet creating it is
    refused (as behind a delete marker or a stale read). Counts its calls; far too many is a
    take that spins."""

    def __init__(self) -> None:
        self.calls = 0

    def _call(self) -> None:
        self.calls += 1
        if self.calls > 2000:
            raise RuntimeError("the take spun without pausing")

    def get_tagged(self, path: str) -> tuple[bytes, str]:
        self._call()
        raise FileNotFoundError(path)

    def put_new(self, path: str, data: bytes) -> str | None:
        self._call()
        return None

    def put_if(self, path: str, data: bytes, etag: str) -> str | None:
        self._call()
        return None


def test_a_take_refused_again_and_again_pauses_and_times_out() -> None:
    """Conditional writes refused over and over: the taker reads again after a short pause,
    and gives up with LockTimeout at its deadline (found by review: it looped at once and
    never reached the deadline)."""
    objects = _Lagging()
    started = time.monotonic()
    with pytest.raises(LockTimeout):
        Lease(objects, where="s3://lagging/store").take(timeout=0.3)
    assert time.monotonic() - started < 5
    assert objects.calls < 200  # a pause of 10 ms between tries: about 60 calls
