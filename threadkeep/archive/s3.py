"""The store in an S3-protocol bucket (AWS S3, MinIO, Ceph, R2, GCS's S3 interface): ``s3://``.

:class:`S3Storage` implements :class:`~threadkeep.archive.Storage` over `obstore
<https://developmental-seed.github.io/obstore/>`_ (the extra ``threadkeep[s3]``), so that
``Archive("s3://bucket/prefix")`` and ``--store s3://bucket/prefix`` keep the same files as a
folder, under ``prefix`` in ``bucket``. :func:`open_storage` picks the storage for a location:
``s3://…`` here, anything else the local folder.

Where and who, as every AWS tool reads them: ``AWS_ENDPOINT_URL`` (another store than AWS;
an ``http://`` endpoint is allowed without TLS), ``AWS_ACCESS_KEY_ID``,
``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``, ``AWS_REGION``. A profile (``AWS_PROFILE``,
or ``~/.aws/credentials`` when no key is in the environment) is read through boto3 (the extra
``threadkeep[s3-profiles]``), imported only then.

Writes: a whole object is one PUT (atomic: readers see the old object or the new one);
:meth:`S3Storage.create` is a PUT with ``If-None-Match: *``, refused when the key exists. Before
its first write a process checks, once per bucket, that the store honours ``If-None-Match``
and ``If-Match`` (some S3-protocol servers accept and ignore them): a store that does not is
refused, since writers could not share it safely. The lock is a lease object
(:mod:`threadkeep.archive.lease`). Every failure is an :class:`~threadkeep.errors.ArchiveError`
naming the bucket and key: wrong credentials, a missing bucket, an endpoint that does not
answer. obstore is not safe across ``fork``: the client is made lazily in each process.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO, NoReturn

from threadkeep.archive.lease import Lease
from threadkeep.archive.storage import LocalStorage, Storage
from threadkeep.errors import ArchiveError, LockTimeout

if TYPE_CHECKING:
    from obstore.store import S3Store

__all__ = ["SCHEME", "S3Storage", "is_s3", "open_storage", "split_location"]

SCHEME = "s3://"
_THREADS = 8  # objects written at once by write_atomic_many
_SPOOL = 8 * 1024 * 1024  # a streamed file kept in memory up to this size, then on disk
_PROBE = "probe"
_probed: set[tuple[str, str]] = set()  # (endpoint, bucket) checked in this process
_probing = threading.Lock()


def is_s3(location: str | os.PathLike[str]) -> bool:
    """True when ``location`` names a store in a bucket (``s3://…``)."""
    return isinstance(location, str) and location.startswith(SCHEME)


def split_location(location: str) -> tuple[str, str]:
    """``s3://bucket/prefix`` as ``(bucket, prefix)`` (prefix without its slashes; may be "").

    Examples:
        >>> split_location("s3://news-archive/threads/2026/")
        ('news-archive', 'threads/2026')
        >>> split_location("s3://news-archive")
        ('news-archive', '')
    """
    if not is_s3(location):
        raise ArchiveError(f"not an s3:// location: {location}", path=location)
    bucket, _, prefix = location[len(SCHEME) :].partition("/")
    prefix = prefix.strip("/")
    if not bucket or any(part in ("", ".", "..") for part in prefix.split("/") if prefix):
        raise ArchiveError(
            f"{location}: name a bucket and an optional prefix, as s3://bucket/prefix",
            path=location,
        )
    return bucket, prefix


def open_storage(location: str | os.PathLike[str]) -> Storage:
    """The storage of the store at ``location``: :class:`S3Storage` for ``s3://bucket/prefix``,
    else the local folder (:class:`~threadkeep.archive.LocalStorage`).

    Examples:
        >>> import tempfile
        >>> type(open_storage(tempfile.mkdtemp())).__name__
        'LocalStorage'
        >>> type(open_storage("s3://news-archive/threads")).__name__  # no request made yet
        'S3Storage'
    """
    if is_s3(location):
        return S3Storage(str(location))
    return LocalStorage(location)


class S3Storage:
    """A store under ``prefix`` in an S3 bucket (see the module docstring).

    Examples:
        >>> storage = S3Storage("s3://news-archive/threads")
        >>> storage.bucket, storage.prefix, storage.location
        ('news-archive', 'threads', 's3://news-archive/threads')
    """

    def __init__(self, location: str) -> None:
        self.bucket, self.prefix = split_location(location)
        self.location = f"{SCHEME}{self.bucket}" + (f"/{self.prefix}" if self.prefix else "")
        self._client: S3Store | None = None
        self._pid = 0
        self._endpoint = ""
        self._lease: Lease | None = None
        self._released: str | None = None  # the lease's ETag as this process last let it go
        self._depth = 0
        self._bucket_seen = 0  # the pid that saw the bucket exist
        self._local = threading.RLock()  # the threads of this process, one lease between them

    def __repr__(self) -> str:
        return f"S3Storage({self.location!r})"

    # -- the client ------------------------------------------------------------------------

    def _store(self) -> S3Store:
        """The obstore client of this process (made again after a fork: obstore's is not
        safe to use in a forked child)."""
        if self._client is None or self._pid != os.getpid():
            self._client = self._connect()
            self._pid = os.getpid()
        return self._client

    def _connect(self) -> S3Store:
        try:
            from obstore.store import S3Store
        except ImportError:
            raise ArchiveError(
                f"{self.location}: a store in a bucket needs obstore: pip install 'threadkeep[s3]'",
                path=self.location,
            ) from None
        env = os.environ
        self._endpoint = (
            env.get("AWS_ENDPOINT_URL_S3")
            or env.get("AWS_ENDPOINT_URL")
            or env.get("AWS_ENDPOINT")
            or "AWS S3"
        )
        options: Any = {"connect_timeout": timedelta(seconds=5)}
        if self._endpoint.startswith("http://"):
            options["allow_http"] = True
        config: dict[str, Any] = {}
        provider = _profile(config)
        retry: Any = {"max_retries": 3, "retry_timeout": timedelta(seconds=30)}
        try:
            if provider is not None:
                return S3Store(
                    self.bucket,
                    prefix=self.prefix or None,
                    client_options=options,
                    retry_config=retry,
                    credential_provider=provider,
                    **config,
                )
            return S3Store(
                self.bucket,
                prefix=self.prefix or None,
                client_options=options,
                retry_config=retry,
                **config,
            )
        except Exception as exc:
            raise ArchiveError(
                f"{self.location}: the object store settings are not usable: {_first_line(exc)}",
                path=self.location,
            ) from None

    def _fail(self, exc: Exception, key: str) -> NoReturn:
        """Raise ``exc`` (an obstore error about ``key``) as the :class:`ArchiveError` a
        person can act on; a missing object is the caller's business (FileNotFoundError)."""
        raise _failure(exc, self.location, self.bucket, key, self._endpoint) from None

    @contextlib.contextmanager
    def _calling(self, key: str, *, missing_ok: bool = False) -> Iterator[None]:
        try:
            yield
        except ArchiveError:
            raise
        except FileNotFoundError as exc:
            if "NoSuchBucket" in str(exc) or not missing_ok:
                self._fail(exc, key)
            raise FileNotFoundError(f"{self.location}/{key}: no such object") from None
        except Exception as exc:
            self._fail(exc, key)

    # -- conditional operations (the lease, the probe) -------------------------------------

    def get_tagged(self, path: str) -> tuple[bytes, str]:
        """The object's bytes and ETag; :class:`FileNotFoundError` when it does not exist."""
        import obstore

        with self._calling(path, missing_ok=True):
            answer = obstore.get(self._store(), path)
            return bytes(answer.bytes()), str(answer.meta["e_tag"])
        raise AssertionError("unreachable")  # pragma: no cover

    def put_new(self, path: str, data: bytes | IO[bytes]) -> str | None:
        """Create the object (``If-None-Match: *``) from bytes or a file: its ETag, or None
        when it exists. One PUT, never a multipart upload (whose completion not every store
        makes conditional)."""
        import obstore
        from obstore.exceptions import AlreadyExistsError, PreconditionError

        with self._calling(path):
            try:
                put = obstore.put(self._store(), path, data, mode="create", use_multipart=False)
                return str(put["e_tag"])
            except (AlreadyExistsError, PreconditionError):
                return None
        raise AssertionError("unreachable")  # pragma: no cover

    def put_if(self, path: str, data: bytes, etag: str) -> str | None:
        """Replace the object if its ETag is still ``etag`` (``If-Match``): the new ETag, or
        None when it changed or is gone."""
        import obstore
        from obstore.exceptions import NotFoundError, PreconditionError

        with self._calling(path):
            try:
                put = obstore.put(self._store(), path, data, mode={"e_tag": etag})
            except (PreconditionError, NotFoundError) as exc:
                if "NoSuchBucket" in str(exc):
                    raise
                return None
            return str(put["e_tag"])
        raise AssertionError("unreachable")  # pragma: no cover

    def _writable(self) -> None:
        """Before a write: the lease, when held, is still ours; the store keeps conditional
        writes (checked once per bucket and process)."""
        if self._lease is not None:
            self._lease.check()
        self._probe()

    def _probe(self) -> None:
        self._store()
        where = (self._endpoint, self.bucket)
        with _probing:
            if where in _probed:
                return
            key = f"{_PROBE}/{uuid.uuid4().hex}"
            first = self.put_new(key, b"1")
            again = self.put_new(key, b"2")
            stale = self.put_if(key, b"3", '"threadkeep-not-this-etag"')
            with self._calling(key):
                import obstore

                obstore.delete(self._store(), key)
            if first is None or again is not None or stale is not None:
                raise ArchiveError(
                    f"the object store behind {self.location} ({self._endpoint}) ignores "
                    "conditional writes (If-None-Match / If-Match); threadkeep cannot share "
                    "it between writers",
                    path=self.location,
                )
            _probed.add(where)

    # -- Storage ---------------------------------------------------------------------------

    def read(self, path: str) -> bytes:
        import obstore

        with self._calling(path, missing_ok=True):
            return bytes(obstore.get(self._store(), path).bytes())
        raise AssertionError("unreachable")  # pragma: no cover

    def read_many(self, paths: Sequence[str]) -> dict[str, bytes | None]:
        """Each path's bytes, None for a missing one, read several at once (a merge reads
        the records of a hundred tweets: one after another, the round trips add up)."""

        def one(path: str) -> bytes | None:
            try:
                return self.read(path)
            except FileNotFoundError:
                return None

        if len(paths) <= 1:
            return {path: one(path) for path in paths}
        with ThreadPoolExecutor(min(_THREADS, len(paths)), "threadkeep-s3") as pool:
            return dict(zip(paths, pool.map(one, paths), strict=True))

    def open(self, path: str) -> BinaryIO:
        """The object as a binary stream, read in ranges (a large media file is never whole
        in memory)."""
        import obstore

        with self._calling(path, missing_ok=True):
            reader = obstore.open_reader(self._store(), path)
        return io.BufferedReader(_Reader(reader, self, path))

    def exists(self, path: str) -> bool:
        import obstore

        try:
            with self._calling(path, missing_ok=True):
                obstore.head(self._store(), path)
        except FileNotFoundError:
            self._check_bucket()  # a HEAD's 404 has no body to tell a missing bucket by
            return False
        return True

    def _check_bucket(self) -> None:
        """Raise the "no such bucket" error if the bucket is missing (once per process)."""
        if self._bucket_seen == os.getpid():
            return
        import obstore

        with self._calling(""):
            for _ in obstore.list(self._store(), prefix=_PROBE, chunk_size=1):
                break
        self._bucket_seen = os.getpid()

    def write_atomic(self, path: str, data: bytes) -> None:
        import obstore

        self._writable()
        with self._calling(path):
            obstore.put(self._store(), path, data)

    def write_atomic_many(self, items: Sequence[tuple[str, bytes]]) -> None:
        """Write each ``(path, data)`` (each one PUT: atomic), several at once; return when
        every one is stored. Unlike a folder's renames, they may land in any order: a caller
        that needs one file stored before another writes them in two calls."""
        if not items:
            return
        self._writable()
        if len(items) == 1:
            self.write_atomic(*items[0])
            return
        with ThreadPoolExecutor(min(_THREADS, len(items)), "threadkeep-s3") as pool:
            futures = [pool.submit(self.write_atomic, path, data) for path, data in items]
            for future in futures:
                future.exception()  # wait for every one before raising the first failure
            for future in futures:
                future.result()

    def write_atomic_chunks(self, path: str, chunks: Iterable[bytes]) -> None:
        """Store the bytes of ``chunks`` as one object, uploaded as they come (multipart):
        the object appears whole when the upload completes, or not at all."""
        import obstore

        self._writable()
        with self._calling(path):
            obstore.put(self._store(), path, iter(chunks))

    def write_atomic_named(
        self, folder: str, chunks: Iterable[bytes], name: Callable[[], str]
    ) -> bool:
        """Store the bytes of ``chunks`` at ``name()`` (asked once they are all read: a path
        named by their hash) unless an object is there already; whether this call stored it.
        The bytes wait in a temporary file (in memory while small) until their name is known.
        """
        del folder  # no temporary object in the bucket: nothing to clean after a kill
        with tempfile.SpooledTemporaryFile(_SPOOL) as spool:
            for chunk in chunks:
                spool.write(chunk)
            target = name()
            spool.seek(0)
            self._writable()
            return self.put_new(target, spool) is not None

    def create(self, path: str, data: bytes) -> bool:
        """Store ``data`` at ``path`` only if nothing is there (``If-None-Match: *``); whether
        this call stored it."""
        self._writable()
        return self.put_new(path, data) is not None

    def append_line(self, path: str, line: bytes) -> None:
        raise ArchiveError(
            f"{self.location}: a bucket holds no appended file ({path}); a format 2 store must "
            "be upgraded: threadkeep upgrade",
            path=f"{self.location}/{path}",
        )

    def list(self, prefix: str) -> Iterator[str]:
        return self.list_after(prefix, None)

    def list_after(self, prefix: str, after: str | None) -> Iterator[str]:
        """Every key under the folder ``prefix`` that sorts after ``after`` (all when None),
        sorted (S3's ``StartAfter``)."""
        import obstore

        folder = prefix.strip("/") or None
        with self._calling(prefix):
            pages = obstore.list(self._store(), prefix=folder, offset=after, chunk_size=1000)
            for page in pages:
                for meta in page:
                    yield str(meta["path"])

    def remove(self, path: str) -> None:
        import obstore

        self._writable()
        with self._calling(path), contextlib.suppress(FileNotFoundError):
            obstore.delete(self._store(), path)

    def temporaries(self) -> Iterator[str]:
        """None: a bucket's writes leave no temporary objects."""
        return iter(())

    @contextlib.contextmanager
    def lock(self, timeout: float, *, purpose: str = "write") -> Iterator[None]:
        """Hold the store's write lease (:mod:`threadkeep.archive.lease`); reentrant in one
        thread. :class:`LockTimeout` after ``timeout`` seconds."""
        if not self._local.acquire(timeout=max(timeout, 0)):
            raise LockTimeout(
                f"another thread of this process has held the write lease on {self.location} "
                f"for over {timeout:g} s",
                path=self.location,
            )
        try:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._probe()
            lease = Lease(self, where=self.location, purpose=purpose, released=self._released)
            self._released = None
            lease.take(timeout)
            self._lease, self._depth = lease, 1
            try:
                yield
            finally:
                self._lease, self._depth = None, 0
                with contextlib.suppress(ArchiveError):  # unreachable: it expires by itself
                    lease.release()
                self._released = lease.released
        finally:
            self._local.release()


class _Reader(io.RawIOBase):
    """An obstore reader as a raw binary stream (obstore gives its own ``Bytes``)."""

    def __init__(self, reader: Any, storage: S3Storage, path: str) -> None:
        self._reader = reader
        self._storage = storage
        self._path = path

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        with self._storage._calling(self._path):
            data = self._reader.read(len(view))
        size = len(data)
        view[:size] = memoryview(data)
        return size

    def close(self) -> None:
        if not self.closed:
            self._reader.close()
        super().close()


def _profile(config: dict[str, Any]) -> Any:
    """A boto3 credential provider when a profile is to be read (``AWS_PROFILE``, or a
    ``~/.aws`` file and no key in the environment); its region and endpoint go into
    ``config`` unless the environment names them. None when the environment is enough."""
    env = os.environ
    profile = env.get("AWS_PROFILE")
    files = [
        Path(env.get("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials")).expanduser(),
        Path(env.get("AWS_CONFIG_FILE", "~/.aws/config")).expanduser(),
    ]
    if not profile and (env.get("AWS_ACCESS_KEY_ID") or not any(f.is_file() for f in files)):
        return None
    try:
        import botocore.session  # type: ignore[import-untyped]
        from obstore.auth.boto3 import Boto3CredentialProvider
    except ImportError:
        raise ArchiveError(
            "an AWS profile is read through boto3: pip install 'threadkeep[s3-profiles]' "
            "(or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)"
        ) from None
    try:
        session = botocore.session.Session(profile=profile)
        scoped = session.get_scoped_config()
        provider = Boto3CredentialProvider(session)
    except Exception as exc:
        raise ArchiveError(f"the AWS profile {profile or 'default'}: {_first_line(exc)}") from None
    region = scoped.get("region")
    if region and not (env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")):
        config["region"] = region
    endpoint = scoped.get("endpoint_url")
    if endpoint and not env.get("AWS_ENDPOINT_URL"):
        config["endpoint"] = endpoint
    return provider


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]


_REFUSED = ("InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "403 Forbidden")
_UNREACHABLE = ("error sending request", "connection refused", "dns error", "timed out")


def _failure(exc: Exception, location: str, bucket: str, key: str, endpoint: str) -> ArchiveError:
    """The :class:`ArchiveError` for an obstore failure on ``key`` (never its traceback)."""
    from obstore.exceptions import PermissionDeniedError, UnauthenticatedError

    text = str(exc)
    where = f"{location}/{key}" if key else location
    if "NoSuchBucket" in text:
        return ArchiveError(
            f"{location}: there is no bucket {bucket!r} at {endpoint}: make it first, or check "
            "the name (and AWS_ENDPOINT_URL)",
            path=location,
        )
    if isinstance(exc, PermissionDeniedError | UnauthenticatedError) or any(
        code in text for code in _REFUSED
    ):
        code = next((code for code in _REFUSED if code in text), type(exc).__name__)
        return ArchiveError(
            f"{where}: the object store at {endpoint} refused the credentials ({code}): check "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE",
            path=where,
        )
    if any(sign in text.lower() for sign in _UNREACHABLE):
        return ArchiveError(
            f"{where}: cannot reach the object store at {endpoint}: is it running, and is "
            "AWS_ENDPOINT_URL right?",
            path=where,
        )
    return ArchiveError(f"{where}: the object store failed: {_first_line(exc)}", path=where)
