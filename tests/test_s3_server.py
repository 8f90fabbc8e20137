"""The loopback S3 server enforces what the store relies on (tests/s3_server.py).

threadkeep shares a bucket between writers only through conditional writes: a PutObject with
``If-None-Match: *`` must fail (412) on an existing key, one with ``If-Match`` on a stale
ETag must fail and leave the object as it was. moto accepted both silently before 5.0.15 and
5.1.5: a moto upgrade (or downgrade) that stops enforcing them must fail here, loudly, before
the store's tests pass for the wrong reason.
"""

from __future__ import annotations

import pytest

from tests.s3_server import S3Server, fixtures

s3_server, s3_store = fixtures()

botocore_exceptions = pytest.importorskip("botocore.exceptions")


def _code(exc: pytest.ExceptionInfo[Exception]) -> str:
    return str(exc.value.response["Error"]["Code"])  # type: ignore[attr-defined]


def test_if_none_match_refuses_an_existing_key(s3_server: S3Server) -> None:
    bucket = s3_server.new_bucket()
    client = s3_server.boto3()
    client.put_object(Bucket=bucket, Key="k", Body=b"first", IfNoneMatch="*")
    with pytest.raises(botocore_exceptions.ClientError) as refused:
        client.put_object(Bucket=bucket, Key="k", Body=b"second", IfNoneMatch="*")
    assert _code(refused) == "PreconditionFailed"
    assert client.get_object(Bucket=bucket, Key="k")["Body"].read() == b"first"


def test_if_match_refuses_a_stale_etag_and_a_missing_key(s3_server: S3Server) -> None:
    bucket = s3_server.new_bucket()
    client = s3_server.boto3()
    old = client.put_object(Bucket=bucket, Key="k", Body=b"one")["ETag"]
    new = client.put_object(Bucket=bucket, Key="k", Body=b"two", IfMatch=old)["ETag"]
    with pytest.raises(botocore_exceptions.ClientError) as refused:
        client.put_object(Bucket=bucket, Key="k", Body=b"three", IfMatch=old)
    assert _code(refused) == "PreconditionFailed"
    assert client.get_object(Bucket=bucket, Key="k")["Body"].read() == b"two"
    assert client.head_object(Bucket=bucket, Key="k")["ETag"] == new
    with pytest.raises(botocore_exceptions.ClientError) as missing:
        client.put_object(Bucket=bucket, Key="absent", Body=b"x", IfMatch=old)
    assert _code(missing) in {"NoSuchKey", "PreconditionFailed"}


def test_listing_starts_after_a_key_in_order_and_deletes_are_idempotent(
    s3_server: S3Server,
) -> None:
    bucket = s3_server.new_bucket()
    client = s3_server.boto3()
    for name in ("a/3", "a/1", "a/2", "b/1"):
        client.put_object(Bucket=bucket, Key=name, Body=b"")
    listed = client.list_objects_v2(Bucket=bucket, Prefix="a/", StartAfter="a/1")
    assert [item["Key"] for item in listed["Contents"]] == ["a/2", "a/3"]
    client.delete_object(Bucket=bucket, Key="a/2")
    client.delete_object(Bucket=bucket, Key="a/2")  # again: no error
    with pytest.raises(botocore_exceptions.ClientError):
        client.get_object(Bucket=bucket, Key="a/2")
