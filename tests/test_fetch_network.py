"""Where a fetch may connect, and for how long: the deadline and the address policy, both clients.

Everything stays on loopback. To exercise "a redirect from a public address" without leaving
the machine, a :class:`Policy` calls chosen loopback addresses (127.0.0.2, 127.0.0.3) public or
link-local, answers chosen names itself (a rebinding resolver), and records every lookup. The
servers count the connections they accept: "refused" means nothing was connected to.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import threadkeep
from tests.test_fetch import FAST, RawServer
from threadkeep.fetch import AsyncClient, Capture, Client
from threadkeep.fetch.addresses import AddressPolicy, Kind, address_kind

OK = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s"


def page(body: bytes) -> Callable[[socket.socket, int], None]:
    return lambda conn, _: conn.sendall(OK % (len(body), body))


def redirect(location: str) -> Callable[[socket.socket, int], None]:
    head = f"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n"
    return lambda conn, _: conn.sendall(head.encode())


class Server(RawServer):
    """A :class:`RawServer` on a chosen loopback address, and a port free on every one of them."""

    def __init__(self, script: Callable[[socket.socket, int], None], host: str, port: int) -> None:
        self.script, self.connections, self.release = script, 0, threading.Event()
        self._sock = socket.create_server((host, port))
        self._sock.settimeout(0.05)
        self.host, self.port = host, self._sock.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def url(self, path: str = "/page") -> str:
        return f"http://{self.host}:{self.port}{path}"


@pytest.fixture
def serve() -> Iterator[Callable[..., Server]]:
    """``serve(script, host)``: a server on ``host``; the first on each host share one port
    (as a rebinding needs: one url, two addresses), later ones get a port of their own."""
    servers: list[Server] = []
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()

    def start(script: Callable[[socket.socket, int], None], host: str = "127.0.0.1") -> Server:
        taken = any(server.host == host for server in servers)
        servers.append(Server(script, host, 0 if taken else port))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


class Policy(AddressPolicy):
    """The default policy, but 127.0.0.2 is "public", 127.0.0.3 "link-local", and names in
    ``answers`` resolve to their listed addresses in turn (a rebinding resolver)."""

    def __init__(self, answers: dict[str, list[str]] | None = None, **options: Any) -> None:
        super().__init__(**options)
        self.answers = answers or {}
        self.lookups: list[str] = []

    def resolve(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        if host in self.answers:
            return [self.answers[host].pop(0)]
        return super().resolve(host, port)

    def kind(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> Kind:
        fake: dict[str, Kind] = {"127.0.0.2": "public", "127.0.0.3": "link-local"}
        return fake.get(str(address)) or super().kind(address)


def fetch(kind: str, url: str, *, from_page: bool = False, **settings: Any) -> Capture:
    """One fetch by a fresh ``Client`` (``kind == "sync"``) or ``AsyncClient``."""
    if kind == "sync":
        with Client(**(FAST | settings)) as client:
            return client.fetch(url, from_page=from_page)

    async def run() -> Capture:
        async with AsyncClient(**(FAST | settings)) as client:
            return await client.fetch(url, from_page=from_page)

    return asyncio.run(run())


BOTH = pytest.mark.parametrize("kind", ["sync", "async"])


# -- the deadline bounds the whole exchange ---------------------------------------------------


def drip(conn: socket.socket, _: int) -> None:
    """Status line and headers, one byte every 0.5 s: each read gets a byte within its timeout."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Drip: " + b"a" * 200
    for byte in head:
        conn.sendall(bytes([byte]))
        time.sleep(0.5)


@BOTH
def test_headers_dripped_byte_by_byte_end_at_the_deadline(kind: str, serve: Any) -> None:
    """Issue 14, item 2: deadline=6, timeout=3; the fetch was still waiting at 40 s (sync)."""
    server = serve(drip)
    outcome: list[BaseException | Capture] = []

    def run() -> None:
        try:
            outcome.append(fetch(kind, server.url(), timeout=3.0, deadline=6.0))
        except BaseException as exc:
            outcome.append(exc)

    started = time.monotonic()
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=15)  # a hard bound: a regression fails here rather than hanging
    took = time.monotonic() - started
    server.close()  # stops the drip, so that a stuck fetch ends too
    assert outcome, f"the fetch was still waiting after {took:.0f} s (deadline 6 s)"
    assert isinstance(outcome[0], threadkeep.FetchTimeout), outcome[0]
    assert took < 6 + 1
    assert "the deadline" in str(outcome[0])
    assert outcome[0].attempts == 1  # nothing is left to retry in


def two_fetches(kind: str, first: str, second: str, **settings: Any) -> tuple[object, float]:
    """``first`` and ``second`` fetched at once by one client (two threads, or two tasks):
    what the second ended in, and how long it took."""
    outcome: list[object] = []

    async def timed_async(client: AsyncClient) -> None:
        started = time.monotonic()
        try:
            await client.fetch(second)
        except threadkeep.FetchError as exc:
            outcome.extend([exc, time.monotonic() - started])

    async def run_async() -> None:
        async with AsyncClient(**(FAST | settings)) as client:
            held = asyncio.ensure_future(client.fetch(first))
            await asyncio.sleep(0.3)  # the first holds its host's turn
            await timed_async(client)
            with contextlib.suppress(threadkeep.FetchError):
                await held

    if kind == "async":
        asyncio.run(run_async())
        return outcome[0], float(outcome[1])  # type: ignore[arg-type]
    with Client(**(FAST | settings)) as client:

        def hold() -> None:
            with contextlib.suppress(threadkeep.FetchError):
                client.fetch(first)

        holder = threading.Thread(target=hold, daemon=True)
        holder.start()
        time.sleep(0.3)
        started = time.monotonic()
        try:
            client.fetch(second)
        except threadkeep.FetchError as exc:
            outcome.extend([exc, time.monotonic() - started])
        holder.join(timeout=15)
    return outcome[0], float(outcome[1])  # type: ignore[arg-type]


@BOTH
def test_waiting_for_the_hosts_turn_ends_at_the_deadline(kind: str, serve: Any) -> None:
    """A request dripping its headers holds its host's turn until its deadline; a second fetch
    of that host, queued behind it, then paused min_interval=2 past its own deadline=2 (3.7 s
    in all) and failed blaming the server ("still connecting")."""
    server = serve(drip)
    failed, took = two_fetches(
        kind, server.url("/held"), server.url("/queued"), deadline=2.0, min_interval=2.0
    )
    assert isinstance(failed, threadkeep.FetchTimeout), failed
    assert took < 2 + 1, f"took {took:.1f} s with deadline=2"
    assert "turn" in str(failed) and "the deadline" in str(failed)


@BOTH
def test_the_pause_between_requests_to_a_host_ends_at_the_deadline(kind: str, serve: Any) -> None:
    """min_interval=4 and deadline=1: the second fetch slept 4 s, then failed "connecting"."""
    server = serve(page(b"ok"))
    outcome: list[BaseException | float] = []

    async def run_async() -> None:
        async with AsyncClient(**(FAST | {"min_interval": 4.0, "deadline": 1.0})) as client:
            await client.fetch(server.url())
            started = time.monotonic()
            try:
                await client.fetch(server.url())
            except threadkeep.FetchError as exc:
                outcome.extend([exc, time.monotonic() - started])

    if kind == "async":
        asyncio.run(run_async())
    else:
        with Client(**(FAST | {"min_interval": 4.0, "deadline": 1.0})) as client:
            client.fetch(server.url())
            started = time.monotonic()
            try:
                client.fetch(server.url())
            except threadkeep.FetchError as exc:
                outcome.extend([exc, time.monotonic() - started])
    failed, took = outcome
    assert isinstance(failed, threadkeep.FetchTimeout), failed
    assert isinstance(took, float) and took < 1 + 1, f"took {took:.1f} s with deadline=1"
    assert "min_interval" in str(failed) and failed.attempts == 1


# -- link-local: never --------------------------------------------------------------------


@BOTH
def test_a_redirect_to_the_cloud_metadata_address_is_refused(kind: str, serve: Any) -> None:
    server = serve(redirect("http://169.254.169.254/latest/meta-data/"))
    started = time.monotonic()
    with pytest.raises(threadkeep.ForbiddenAddress) as caught:
        fetch(kind, server.url())
    assert time.monotonic() - started < 1  # refused before any connection: nothing to wait for
    message = str(caught.value)
    assert "169.254.169.254" in message and "link-local" in message
    assert "\n" not in message and caught.value.attempts == 1  # not retried
    assert server.connections == 1


@BOTH
def test_a_link_local_address_is_not_connected_to(kind: str, serve: Any) -> None:
    metadata = serve(page(b"secret"), "127.0.0.3")
    start = serve(redirect(f"http://metadata.test:{metadata.port}/"))
    policy = Policy({"metadata.test": ["127.0.0.3"]}, allow_private=True)
    with pytest.raises(threadkeep.ForbiddenAddress, match=r"127\.0\.0\.3.*link-local"):
        fetch(kind, start.url(), address_policy=policy)
    assert metadata.connections == 0


# -- public to private --------------------------------------------------------------------


@BOTH
def test_a_redirect_from_a_public_address_into_loopback_is_refused(kind: str, serve: Any) -> None:
    inside = serve(page(b"secret"))
    outside = serve(redirect(inside.url("/admin")), "127.0.0.2")
    with pytest.raises(threadkeep.ForbiddenAddress) as caught:
        fetch(kind, outside.url(), address_policy=Policy())
    assert inside.connections == 0
    message = str(caught.value)
    assert message.startswith(outside.url() + ": ")
    assert inside.url("/admin") in message and "127.0.0.1" in message
    assert "allow_private" in message


@BOTH
def test_allow_private_opens_loopback_and_private_ranges(kind: str, serve: Any) -> None:
    inside = serve(page(b"inside"))
    outside = serve(redirect(inside.url("/admin")), "127.0.0.2")
    capture = fetch(kind, outside.url(), address_policy=Policy(allow_private=True))
    assert capture.content == b"inside" and capture.final_url == inside.url("/admin")


@BOTH
def test_the_users_own_loopback_url_and_its_loopback_redirects_are_fetched(
    kind: str, serve: Any
) -> None:
    inside = serve(page(b"local"))
    start = serve(redirect(inside.url("/next")))
    assert fetch(kind, start.url()).content == b"local"


@BOTH
def test_a_pooled_connection_is_checked_again_for_each_hop(kind: str, serve: Any) -> None:
    """A kept-alive connection to a loopback server, made for the user's own url, is not a
    way in for a later redirect from a public address."""
    hits: list[int] = []

    def keep_alive(conn: socket.socket, _: int) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        while conn.recv(4096):  # every further request on this connection is counted
            hits.append(1)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecret")

    inside = serve(keep_alive)
    outside = serve(redirect(inside.url("/admin")), "127.0.0.2")
    if kind == "sync":
        with Client(**FAST, address_policy=Policy()) as client:
            assert client.fetch(inside.url()).content == b"ok"
            with pytest.raises(threadkeep.ForbiddenAddress):
                client.fetch(outside.url())
    else:

        async def run() -> None:
            async with AsyncClient(**FAST, address_policy=Policy()) as client:
                assert (await client.fetch(inside.url())).content == b"ok"
                with pytest.raises(threadkeep.ForbiddenAddress):
                    await client.fetch(outside.url())

        asyncio.run(run())
    assert hits == [] and inside.connections == 1


# -- names are resolved once, every address checked -----------------------------------------


@BOTH
def test_a_second_lookup_cannot_move_the_connection(kind: str, serve: Any) -> None:
    """DNS rebinding: the name is checked public, then would resolve to loopback."""
    outside = serve(page(b"outside"), "127.0.0.2")
    inside = serve(page(b"inside"))
    policy = Policy({"rebind.test": ["127.0.0.2", "127.0.0.1"]})
    url = f"http://rebind.test:{outside.port}/"
    capture = fetch(kind, url, from_page=True, address_policy=policy)
    assert capture.content == b"outside"
    assert policy.lookups == ["rebind.test"] and inside.connections == 0


@BOTH
def test_every_address_of_a_name_is_checked(kind: str, serve: Any) -> None:
    server = serve(page(b"ok"))

    class TwoAddresses(Policy):
        def resolve(self, host: str, port: int) -> list[str]:
            return ["127.0.0.1", "169.254.169.254"] if host == "both.test" else []

    url = f"http://both.test:{server.port}/"
    with pytest.raises(threadkeep.ForbiddenAddress, match=r"169\.254\.169\.254"):
        fetch(kind, url, address_policy=TwoAddresses())
    assert server.connections == 0


@BOTH
def test_a_redirect_to_a_name_that_cannot_be_looked_up_is_a_fetch_error(
    kind: str, serve: Any
) -> None:
    """A label of 64 letters cannot be encoded for the resolver: AsyncClient let the
    UnicodeError out (a traceback, and the end of a fetch_many batch)."""
    server = serve(redirect("http://" + "a" * 64 + ".example/"))
    with pytest.raises(threadkeep.FetchError, match=r"looking up a+\.example failed") as caught:
        fetch(kind, server.url(), retries=0)
    assert "\n" not in str(caught.value)


# -- urls from a page's content --------------------------------------------------------------


@BOTH
def test_a_url_from_a_page_obeys_the_rules_from_its_first_hop(kind: str, serve: Any) -> None:
    server = serve(page(b"local"))
    with pytest.raises(threadkeep.ForbiddenAddress, match="from a page"):
        fetch(kind, server.url(), from_page=True)
    assert server.connections == 0
    assert fetch(kind, server.url(), from_page=True, allow_private=True).content == b"local"


def test_policy_keywords_that_cannot_be_kept_are_refused() -> None:
    import httpx

    with httpx.Client() as http, pytest.raises(ValueError, match="cannot be enforced"):
        Client(http=http, allow_private=True)
    with pytest.raises(ValueError, match="give allow_private to the AddressPolicy"):
        AsyncClient(address_policy=AddressPolicy(), allow_private=True)


# -- TLS: the connection goes to an address, the certificate is checked for the name ---------


class TLSServer(Server):
    """A :class:`Server` speaking TLS with ``context``'s certificate."""

    def __init__(self, script: Callable[[socket.socket, int], None], context: ssl.SSLContext):
        self.context = context
        super().__init__(script, "127.0.0.1", 0)

    def _handle(self, conn: socket.socket, index: int) -> None:
        conn.settimeout(5)
        try:
            secure = self.context.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError):  # the client refused the certificate
            conn.close()
            return
        super()._handle(secure, index)


@pytest.fixture
def tls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TLSServer]:
    """A TLS server whose certificate names ``threadkeep.test`` only, trusted by httpx."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=threadkeep.test",
         "-addext", "subjectAltName=DNS:threadkeep.test"],
        check=True, capture_output=True,
    )  # fmt: skip
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # httpx's SSL context trusts it
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server = TLSServer(page(b"over tls"), context)
    yield server
    server.close()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
@BOTH
def test_tls_checks_the_certificate_for_the_name_not_the_address(kind: str, tls: Any) -> None:
    names = {"threadkeep.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]}
    policy = Policy(names)
    capture = fetch(kind, f"https://threadkeep.test:{tls.port}/", address_policy=policy)
    assert capture.content == b"over tls"
    with pytest.raises(threadkeep.FetchError, match=r"certificate|hostname"):
        fetch(kind, f"https://other.test:{tls.port}/", address_policy=policy, retries=0)


# -- the policy's rules, address by address --------------------------------------------------


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("93.184.215.14", "public"),
        ("2606:4700::1111", "public"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("::ffff:169.254.169.254", "link-local"),
        ("127.0.0.1", "private"),
        ("127.255.255.254", "private"),
        ("::1", "private"),
        ("::ffff:127.0.0.1", "private"),
        ("::ffff:10.0.0.1", "private"),
        ("64:ff9b::a00:1", "private"),  # NAT64 of 10.0.0.1
        ("2002:c0a8:101::1", "private"),  # 6to4 of 192.168.1.1
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.255", "private"),
        ("192.168.1.1", "private"),
        ("100.64.0.1", "private"),  # carrier-grade NAT
        ("0.0.0.0", "private"),
        ("::", "private"),
        ("fc00::1", "private"),
        ("fd12:3456::1", "private"),
        ("224.0.0.1", "private"),  # multicast: not a server
        ("255.255.255.255", "private"),
        ("::127.0.0.1", "private"),  # the old IPv4-compatible form
        ("::a9fe:a9fe", "link-local"),  # ::169.254.169.254, the same form
        ("fec0::1", "private"),  # deprecated site-local
        ("64:ff9b:1::a00:1", "private"),  # local-use NAT64
    ],
)
def test_address_kinds(address: str, kind: Kind) -> None:
    assert address_kind(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize(
    ("address", "after", "allow_private", "refused"),
    [
        ("127.0.0.1", None, False, False),  # the user's own url may be local
        ("127.0.0.1", "private", False, False),  # and redirect inside
        ("127.0.0.1", "public", False, True),
        ("127.0.0.1", "public", True, False),
        ("169.254.169.254", None, False, True),  # never, whatever the hop
        ("169.254.169.254", None, True, True),
        ("fe80::1%eth0", "private", True, True),
        ("93.184.215.14", "public", False, False),
    ],
)
def test_the_rules(address: str, after: Kind | None, allow_private: bool, refused: bool) -> None:
    policy = AddressPolicy(allow_private=allow_private)
    assert (policy.refusal(address, after=after) is not None) == refused


# -- the command line ------------------------------------------------------------------------


def test_archive_allow_private_opens_a_redirect_into_loopback(
    serve: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from tests.test_fetch import QUINNY, QUINNY_ID
    from threadkeep.cli import cli

    def kind(self: AddressPolicy, address: Any) -> Kind:
        return "public" if str(address) == "127.0.0.2" else address_kind(address)

    monkeypatch.setattr(AddressPolicy, "kind", kind)  # the CLI makes its own policy
    inside = serve(page(QUINNY))
    outside = serve(redirect(inside.url("/thread")), "127.0.0.2")
    args = ["archive", outside.url(), "--store", str(tmp_path / "a"), "--min-interval", "0"]
    refused = CliRunner().invoke(cli, args)
    assert refused.exit_code == 1 and inside.connections == 0
    assert "127.0.0.1: loopback and private addresses are refused" in refused.stderr
    assert "Traceback" not in refused.stderr
    allowed = CliRunner().invoke(cli, [*args, "--allow-private"])
    assert allowed.exit_code == 0, allowed.stderr
    assert f"new thread-{QUINNY_ID}" in allowed.stdout


# -- the pool ---------------------------------------------------------------------------------


def _held_page(conn: socket.socket, _: int) -> None:
    time.sleep(2.0)  # every answer takes 2 s: a fetch that waits for a connection first is late
    conn.sendall(OK % (4, b"done"))


@pytest.mark.parametrize("how", ["sync", "async"])
def test_more_fetches_at_once_than_httpx_pools_never_wait_for_a_connection(how: str) -> None:
    # httpx pools 100 connections; a client allowed 110 fetches at once made 10 of them wait
    # for a free connection, a wait the deadline cannot cut: they ended in FetchTimeout.
    servers = [RawServer(_held_page) for _ in range(110)]  # one host each: no per-host turns
    settings: dict[str, Any] = {"concurrency": 110, "min_interval": 0, "retries": 0}
    settings.update(deadline=3.5, timeout=10)
    urls = [server.url() for server in servers]
    try:
        if how == "sync":
            from concurrent.futures import ThreadPoolExecutor

            with Client(**settings) as client, ThreadPoolExecutor(len(urls)) as pool:
                outcomes = list(pool.map(lambda url: _outcome(client.fetch, url), urls))
        else:

            async def run() -> list[str]:
                async with AsyncClient(**settings) as client:
                    return await asyncio.gather(*(_async_outcome(client, url) for url in urls))

            outcomes = asyncio.run(run())
    finally:
        for server in servers:
            server.close()
    assert outcomes == ["done"] * len(urls), sorted(set(outcomes))


def _outcome(fetch: Callable[[str], Capture], url: str) -> str:
    try:
        return fetch(url).content.decode()
    except threadkeep.FetchError as exc:
        return f"{type(exc).__name__}: {exc}"


async def _async_outcome(client: AsyncClient, url: str) -> str:
    try:
        return (await client.fetch(url)).content.decode()
    except threadkeep.FetchError as exc:
        return f"{type(exc).__name__}: {exc}"
