"""The command line never shows a traceback: every command, any arguments.

Each hole issue 14 found has a test of its own here (run through the real command line,
in-process with click's runner, or in a subprocess where a real process matters: argv bytes,
another user). Then one property test walks the click group, so that a new command is covered
without a line more, and runs every command with generated bad arguments: numbers negative,
huge, NaN or no number at all, empty strings, control characters, bytes that are not UTF-8,
and paths that are missing, a file where a folder is wanted and the reverse, a folder of
unrelated files, ``/dev/null``. Whatever it gets, a command ends with exit status 0, 1, 2 or
130 and, when it fails, says why in printable lines: never an uncaught exception.

Nothing here reaches the network: urls point at a closed loopback port, and generated values
are never urls.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import threadkeep
from tests.conftest import FIXTURES
from threadkeep.batch.archiving import capture_url
from threadkeep.cli import cli
from threadkeep.fetch.addresses import AddressPolicy

THREAD = FIXTURES / "threadreader" / "quinnypig_2020_full.html"
SMALL = FIXTURES / "threadreader" / "mxs_nightmare_2026_fragment.html"
LISTING = FIXTURES / "listing" / "homepage_2018.html"
NOT_UTF8 = b"https://127.0.0.1:9/a\n\xff\xfe not utf-8\n"


def invoke(*args: str, stdin: bytes = b"") -> Result:
    return CliRunner().invoke(cli, list(args), input=stdin)


def assert_said_in_one_line(result: Result, code: int, *words: str) -> str:
    """The command ended on purpose with ``code``; its message is one line holding ``words``."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    said = [
        line for line in result.stderr.splitlines() if line.startswith(("threadkeep:", "Error:"))
    ]
    assert len(said) == 1, result.stderr
    for word in words:
        assert word in said[0], said[0]
    return said[0]


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -- the six tracebacks ------------------------------------------------------------------------


def test_from_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke("archive", "--from", str(tmp_path / "MISSING"), "--store", str(tmp_path / "s"))
    assert_said_in_one_line(result, 2, "'--from'", "MISSING", "does not exist")
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize("from_stdin", [False, True])
def test_from_a_file_that_is_not_utf8_is_a_usage_error(tmp_path: Path, from_stdin: bool) -> None:
    listed = tmp_path / "urls.txt"
    listed.write_bytes(NOT_UTF8)
    name = "-" if from_stdin else str(listed)
    result = invoke("archive", "--from", name, "--store", str(tmp_path / "s"), stdin=NOT_UTF8)
    assert_said_in_one_line(result, 2, "--from", "not UTF-8", "0xff at offset 22")
    assert not (tmp_path / "s").exists()


def test_a_store_below_a_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    result = invoke("archive", str(SMALL), "--store", str(tmp_path / "afile" / "store"))
    assert_said_in_one_line(
        result, 1, str(tmp_path / "afile" / "store"), "a part of its path is a file"
    )


def test_a_store_that_is_a_file_is_named(tmp_path: Path) -> None:
    result = invoke("archive", str(SMALL), "--store", os.devnull)
    assert_said_in_one_line(result, 1, f"{os.devnull} is a file, not an archive folder")


@pytest.mark.parametrize(
    ("option", "value", "words"),
    [
        ("--contact", "", "not blank"),
        ("--contact", "me@example.org\r\nX-Evil: 1", "one line of printable ASCII"),
        ("--contact", "mé@example.org", "printable ASCII"),
        ("--min-interval", "-1", "from 0, at most 86400"),
        ("--min-interval", "nan", "got nan"),
        ("--min-interval", "1e308", "at most 86400"),
        ("--min-interval", "soon", "is not a valid float"),
        ("--threadreader-base", "", "not an http"),
        ("--threadreader-base", "ftp://mirror.example", "not an http"),
        ("--threadreader-base", "http://[::1", "not an http"),
    ],
)
def test_bad_fetching_options_are_usage_errors(
    tmp_path: Path, option: str, value: str, words: str
) -> None:
    url = f"http://127.0.0.1:{closed_port()}/thread.html"
    result = invoke("archive", url, option, value, "--store", str(tmp_path / "s"))
    assert_said_in_one_line(result, 2, f"'{option}'", words)
    assert not (tmp_path / "s").exists(), "refused before anything was made"


def test_the_library_refuses_bad_keyword_values_in_words() -> None:
    with pytest.raises(ValueError, match=r"contact must be an email or url.*got ''"):
        threadkeep.Client(contact="")
    with pytest.raises(ValueError, match="min_interval must be a number of seconds from 0"):
        threadkeep.Client(min_interval=-1)
    for bad in (float("nan"), float("inf"), 1e308):
        with pytest.raises(ValueError, match="at most 86400"):
            threadkeep.Client(deadline=bad)
    with pytest.raises(ValueError, match=r"retries must be a number from 0, whole, got 1\.5"):
        threadkeep.AsyncClient(retries=1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_bytes must be a number above 0"):
        threadkeep.Client(max_bytes=0)
    with threadkeep.Client(min_interval=0, retries=0, backoff=0, contact="me@example.org"):
        pass  # the edges are allowed


# -- unrelated folders, unwritable places ------------------------------------------------------


def test_a_folder_of_unrelated_files_is_not_taken_for_a_store(tmp_path: Path) -> None:
    folder = tmp_path / "Documents"
    folder.mkdir()
    (folder / "taxes.pdf").write_bytes(b"%PDF")
    (folder / "notes.txt").write_text("mine")
    result = invoke("archive", str(SMALL), "--store", str(folder))
    assert_said_in_one_line(
        result, 1, f"{folder} is not a threadkeep archive and not empty", "'notes.txt'"
    )
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt", "taxes.pdf"]
    with pytest.raises(threadkeep.ArchiveError, match="not a threadkeep archive"):
        threadkeep.Archive(folder)


@pytest.mark.parametrize("made", ["missing", "empty", "a store", "shown by a file manager"])
def test_a_missing_or_empty_folder_or_a_store_is_fine(tmp_path: Path, made: str) -> None:
    store = tmp_path / "archive"
    if made != "missing":
        store.mkdir()
    if made == "a store":
        threadkeep.Archive(store)
    if made == "shown by a file manager":  # an empty folder once opened in Finder
        (store / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    result = invoke("archive", str(SMALL), "--store", str(store))
    assert result.exit_code == 0, result.output


def test_the_own_names_of_a_store_being_made_are_no_strangers(tmp_path: Path) -> None:
    """Another process making the same store has taken its lock before the store file."""
    (tmp_path / "lock").touch()
    (tmp_path / ".threadkeep-store.json.abc123.tmp").touch()
    threadkeep.Archive(tmp_path)
    assert (tmp_path / "threadkeep-store.json").exists()


@contextlib.contextmanager
def shared_folder() -> Iterator[Path]:
    """A folder another user can enter (pytest's tmp_path is private to its owner)."""
    folder = Path(tempfile.mkdtemp(prefix="threadkeep-ro-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in [folder, *folder.rglob("*")]:
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(folder)


def run_unprivileged(*args: str) -> subprocess.CompletedProcess[str]:
    """``threadkeep ARGS`` in a real process that file permissions apply to.

    As root, permissions do not bite: the process then runs as the user ``nobody`` (uid and
    gid 65534, no other group) through ``setpriv``, as a user of a shared machine would, and
    the folders it is given are readable by everyone. As anyone else it runs as that user.
    """
    command = [sys.executable, "-m", "threadkeep", *args]
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root, and no setpriv to run as another user")
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=120,
        cwd="/",
        env={**os.environ, "PYTHONPATH": str(Path(threadkeep.__file__).parents[1])},
    )


def readable_copy(source: Path, folder: Path) -> Path:
    copy = folder / source.name
    shutil.copyfile(source, copy)
    copy.chmod(0o644)
    return copy


def test_a_store_in_a_folder_that_cannot_be_written_is_named() -> None:
    with shared_folder() as folder:
        page = readable_copy(SMALL, folder)
        locked = folder / "locked"
        locked.mkdir()
        locked.chmod(
            stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH
        )
        done = run_unprivileged("archive", str(page), "--store", str(locked / "store"))
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        f"threadkeep: could not write {locked / 'store'}: Permission denied"
    ] or done.stderr.splitlines() == [
        f"threadkeep: could not write {locked / 'store' / 'lock'}: Permission denied"
    ]


@pytest.mark.parametrize("stored", [False, True], ids=["new bytes", "bytes stored already"])
def test_a_read_only_store_is_named_not_the_source(stored: bool) -> None:
    # Bytes stored already try the lock first (an unchanged capture is logged at once): it
    # cannot be taken in a read-only store, and the capture is then refused as any is.
    with shared_folder() as folder:
        page = readable_copy(SMALL, folder)
        store = folder / "store"
        threadkeep.Archive(store).add(THREAD.read_bytes())
        if stored:
            threadkeep.Archive(store).add(SMALL.read_bytes())
        for path in [store, *store.rglob("*")]:
            path.chmod(0o555 if path.is_dir() else 0o444)
        done = run_unprivileged("archive", str(page), "--store", str(store))
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"threadkeep: could not write {store}/"), lines
    assert str(page) not in lines[0]


def test_an_output_folder_that_cannot_be_written_is_said_once(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    out = f"{tmp_path / 'afile'}/"
    result = invoke("convert", str(THREAD), str(LISTING), str(SMALL), "-o", out)
    said = assert_said_in_one_line(result, 1, "could not write", "stopped after 0 of 3 inputs")
    assert said.startswith(f"threadkeep: {tmp_path / 'afile'}/")
    assert result.stdout == ""


def test_an_output_that_is_not_a_regular_file_is_written_not_replaced(tmp_path: Path) -> None:
    # "-o /dev/null", or a named pipe: written into, not replaced by a renamed temporary file
    # (as root, the rename would put a regular file in the place of /dev/null).
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # the pipe buffer holds the output
    try:
        done = subprocess.run(
            [sys.executable, "-m", "threadkeep", "convert", str(SMALL), "-o", str(fifo)],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "PYTHONPATH": str(Path(threadkeep.__file__).parents[1])},
        )
        try:
            read = os.read(reader, 1 << 16)
        except BlockingIOError:
            read = b""
    finally:
        os.close(reader)
    assert done.returncode == 0, done.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode), "the named pipe was replaced by a file"
    assert read.startswith(b"{"), read


# -- names the user typed, shown as they are --------------------------------------------------


def test_a_path_that_is_not_utf8_is_named_in_a_real_process(tmp_path: Path) -> None:
    """argv bytes that are not UTF-8 (a real process, where click gets them as surrogates)."""
    store = os.fsencode(tmp_path) + b"/f\xffile\x1b[31m"
    Path(os.fsdecode(store)).write_bytes(b"x")
    done = subprocess.run(
        [sys.executable, "-m", "threadkeep", "show", "1", "--store", store + b"/below"],
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert b"Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and b"f\\xffile\\x1b[31m/below" in lines[0], lines


# -- tweet urls ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://dropbox.com/a/status/123",
        "https://evilx.com/a/status/123",
        "https://eviltwitter.com/a/status/123",
        "https://x.com.evil.example/a/status/123",
        "https://x.com@evil.example/a/status/123",
        "https://evil.example/x.com/a/status/123",
    ],
)
def test_only_twitter_and_x_status_urls_go_through_thread_reader(url: str) -> None:
    assert capture_url(url, "https://tr.example") == url


@pytest.mark.parametrize(
    "url",
    [
        "https://x.com/a/status/123",
        "https://twitter.com/a/status/123",
        "https://mobile.twitter.com/a/status/123",
        "https://www.x.com/a/status/123",
        "https://M.Twitter.com/a/status/123",
    ],
)
def test_twitter_and_x_status_urls_go_through_thread_reader(url: str) -> None:
    assert capture_url(url, "https://tr.example") == "https://tr.example/thread/123.html"


# -- every command, generated bad arguments ----------------------------------------------------

CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")  # what a terminal obeys
SURROGATE = b"\xff".decode("utf-8", "surrogateescape")  # a byte of argv that is not UTF-8

NUMBERS = st.sampled_from(["-1", "0", "-0.0", "1e308", "-1e308", "nan", "inf", "-inf", "9" * 400,
                           "0x10", "1_000", "one", " 1", "1e-400"])  # fmt: skip
TEXTS = st.sampled_from(["", " ", "-", "--", "\x00", "\n", "a\nb", "\x1b[31mred", "\x9b31m",
                         "\u2028", "é", SURROGATE, "a" * 5000, "%s%n", "'\"", "../" * 20])  # fmt: skip
PATHS = st.sampled_from(["missing/none.html", "afile", "afile/below", "afile/", "empty",
                         "unrelated", "unrelated/notes.txt", "store", "page.html", "bad.txt",
                         os.devnull, "/sys/threadkeep"])  # fmt: skip
VALUES = st.one_of(NUMBERS, TEXTS, PATHS, st.text(max_size=20))


def playground(into: Path) -> None:
    """The places generated paths name: every kind a user might give by mistake."""
    (into / "afile").write_text("just a file\n")
    (into / "empty").mkdir()
    (into / "unrelated").mkdir()
    (into / "unrelated" / "notes.txt").write_text("mine, not an archive\n")
    (into / "unrelated" / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    shutil.copyfile(SMALL, into / "page.html")
    (into / "bad.txt").write_bytes(NOT_UTF8)
    threadkeep.Archive(into / "store").add(SMALL.read_bytes())


def option_values(param: click.Parameter) -> st.SearchStrategy[list[str]]:
    """What to give one parameter: nothing, or a generated value (a flag is given or not)."""
    if isinstance(param, click.Option):
        name = max(param.opts, key=len)
        if param.is_flag:
            return st.sampled_from([[], [name], *([o] for o in param.secondary_opts)])
        value = (
            st.one_of(st.sampled_from(list(param.type.choices)), VALUES)
            if isinstance(param.type, click.Choice)
            else VALUES
        )
        return st.one_of(st.just([]), value.map(lambda v: [name, v]))
    if param.nargs == -1:
        return st.lists(VALUES, max_size=3)
    return VALUES.map(lambda v: [v])


def command_arguments(command: click.Command) -> st.SearchStrategy[list[str]]:
    """Generated arguments for ``command``: each of its parameters given or not, any order."""
    parts = [option_values(p) for p in command.params if p.name != "help"]
    tails = st.lists(st.sampled_from(["--", "--no-such-option", "-x", "extra"]), max_size=1)
    return st.tuples(*parts, tails).flatmap(
        lambda chosen: st.permutations([a for a in chosen[:-1] if a]).map(
            lambda order: [word for part in order for word in part] + list(chosen[-1])
        )
    )


def every_command() -> list[str]:
    """Every command of the group, read from the group itself (a new one is covered too)."""
    return sorted(cli.commands)


def test_every_command_is_walked() -> None:
    assert {
        "archive",
        "convert",
        "export",
        "history",
        "recover",
        "reparse",
        "schema",
        "show",
        "verify",
    } <= set(every_command())


@pytest.mark.parametrize("name", every_command())
def test_no_command_shows_a_traceback_for_any_arguments(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    command = cli.commands[name]
    # Nothing here reaches the network, not even a name lookup: `media --avatars` would fetch
    # the store's profile pictures, and every name now resolves to a closed loopback address.
    monkeypatch.setattr(AddressPolicy, "resolve", lambda self, host, port: ["127.0.0.9"])

    @settings(
        max_examples=20,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(
        args=command_arguments(command), stdin=st.sampled_from([b"", NOT_UTF8, SMALL.read_bytes()])
    )
    def run(args: list[str], stdin: bytes) -> None:
        with tempfile.TemporaryDirectory() as folder, working_in(Path(folder)):
            shutil.copytree(made, folder, dirs_exist_ok=True)  # fresh: a run may change it
            result = CliRunner().invoke(
                cli,
                ["-q", name, *args],
                input=stdin,
                # recover's web archive is a closed port: nothing here reaches the network
                env={
                    "THREADKEEP_CONTACT": None,
                    "THREADKEEP_STORE": None,
                    "THREADKEEP_WAYBACK": "http://127.0.0.1:9",
                },
            )
        assert_no_traceback(result, [name, *args])

    with tempfile.TemporaryDirectory() as made:
        playground(Path(made))  # made once: a store's fsyncs are slow on a busy disk
        run()


@contextlib.contextmanager
def working_in(folder: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def assert_no_traceback(result: Result, args: list[str]) -> None:
    """Any exit but an uncaught exception; a failure said on stderr in printable lines."""
    shown = f"threadkeep {args!r}:\n{result.output}"
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{shown}\n{result.exc_info}"
    )
    assert result.exit_code in (0, 1, 2, 130), shown
    assert "Traceback" not in result.output, shown
    if result.exit_code != 0:
        said = result.stderr.splitlines()
        assert said and said[-1].strip(), shown
        assert any(line.startswith(("threadkeep: ", "Error: ", "DAMAGED", "NOT REPAIRED"))
                   for line in said), shown  # fmt: skip
        assert not any(CONTROL_RE.search(line) for line in said), shown
