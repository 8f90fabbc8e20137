"""What every command shares: the one error path, logging on stderr, the shared options.

Errors become one line each and an exit status, in one place: :class:`Failed` (exit 1,
``threadkeep: <message>`` and any detail lines) for library errors and failed inputs,
:class:`Interrupted` (exit 130) for Ctrl-C, click's own usage errors (exit 2). Only click and
the standard library are imported here, so that ``threadkeep --help`` stays quick.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable, Sequence
from typing import IO, TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from threadkeep.batch import Report

__all__ = [
    "DEFAULT_STORE",
    "Failed",
    "Interrupted",
    "PathArg",
    "TextPath",
    "checked_setting",
    "contact_option",
    "format_option",
    "given",
    "http_base",
    "log_to_stderr",
    "one_line",
    "show_progress",
    "store_option",
]

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_STORE = "threadkeep-archive"
"""The archive folder when neither ``--store`` nor ``THREADKEEP_STORE`` is given (the same
as ``threadkeep.archive.DEFAULT_STORE``, written out here so that ``--help`` loads no archive
code; a test keeps the two equal)."""


class Failed(click.ClickException):
    """A command that could not do all its work: ``threadkeep: <message>`` on stderr, exit 1.

    ``details`` are printed under the message, one a line (the failed inputs of a batch).
    (click's own prefix, "Error:", stays for usage errors, which exit 2.)
    """

    def __init__(self, message: str, details: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.details = list(details)

    @classmethod
    def inputs(cls, report: Report) -> Failed:
        """``threadkeep: 2 of 3 sources failed:`` and one line a failure under it."""
        return cls(report.summary() + ":", [f"  {line}" for line in report.failures])

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"threadkeep: {one_line(self.format_message())}", err=True)
        for line in self.details:
            click.echo(one_line(line), err=True)


_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    r"""``text`` as one printable line: control characters (line breaks, escapes) and the
    bytes of a name that were not UTF-8 are shown escaped, never sent to the terminal.

    A message names what the user gave (a path, a url), and what they gave may hold anything.

    >>> one_line("no such file: a\nb\x1b[31m " + b"\xff".decode("utf-8", "surrogateescape"))
    'no such file: a\\nb\\x1b[31m \\xff'
    """
    try:  # a path that was not UTF-8 reaches Python as lone surrogates: show its bytes
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return _CONTROL_RE.sub(lambda match: ascii(match.group())[1:-1], text)


class Interrupted(Failed):
    """Ctrl-C: what was done so far and the failures so far on stderr, exit 130 (128 + SIGINT)."""

    exit_code = 130

    @classmethod
    def after(cls, report: Report, *, note: str = "") -> Interrupted:
        """``threadkeep: interrupted after 2 of 3 inputs: …`` (and ``note``, in brackets),
        then the failures so far."""
        said = report.interrupted()
        return cls(said[0] + (f" ({note})" if note else ""), said[1:])


class _ClickStderr(logging.Handler):
    """Log records on the stderr of the moment (click's, so tests capture them too)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            click.echo(f"threadkeep: {self.format(record)}", err=True)
        except Exception:  # logging must never break the command
            self.handleError(record)


def log_to_stderr(verbose: int, quiet: bool) -> None:
    """Show the ``threadkeep`` loggers on stderr: WARNING, -v INFO, -vv DEBUG, -q ERROR only."""
    logger = logging.getLogger("threadkeep")
    for handler in [h for h in logger.handlers if isinstance(h, _ClickStderr)]:
        logger.removeHandler(handler)  # one handler however often the group is invoked
    logger.addHandler(_ClickStderr())
    levels = {0: logging.WARNING, 1: logging.INFO}
    logger.setLevel(logging.ERROR if quiet else levels.get(verbose, logging.DEBUG))


def show_progress(progress: bool | None) -> bool:
    """``--progress/--no-progress`` as given, else a bar when stderr is a terminal (not -q)."""
    if progress is not None:
        return progress
    return sys.stderr.isatty() and logging.getLogger("threadkeep").level < logging.ERROR


def _refuse(value: Any) -> str | None:
    """Why ``value`` can name no file, or None: "" (which would mean the current folder) and
    a NUL byte (which no system call takes) are refused as bad usage."""
    if value == "":
        return "an empty path names nothing"
    if isinstance(value, str) and "\x00" in value:
        return "a path cannot hold a NUL byte"
    return None


class PathArg(click.Path):
    """:class:`click.Path`, refusing what :func:`_refuse` refuses before click's own checks
    (which would raise ``ValueError`` from ``os.stat``)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if (problem := _refuse(value)) is not None:
            self.fail(problem, param, ctx)
        return super().convert(value, param, ctx)


class TextPath(click.types.StringParamType):
    """A path or url taken as text (TEXT in ``--help``), refusing what :func:`_refuse` does."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if (problem := _refuse(value)) is not None:
            self.fail(problem, param, ctx)
        return super().convert(value, param, ctx)


class StoreArg(PathArg):
    """The archive folder, or ``s3://bucket/prefix`` (a store in a bucket), taken as text."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and value.startswith("s3://"):
            if (problem := _refuse(value)) is not None:
                self.fail(problem, param, ctx)
            return value
        return super().convert(value, param, ctx)


store_option = click.option(
    "--store",
    default=DEFAULT_STORE,
    show_default=True,
    envvar="THREADKEEP_STORE",
    show_envvar=True,
    type=StoreArg(file_okay=False),
    help="The archive folder, or s3://bucket/prefix (a store in a bucket).",
)


def checked_setting(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """A fetching option checked by the client's own rule (:class:`~threadkeep.fetch.Settings`
    is the one place), so that a bad value is a usage error (exit 2) before anything runs."""
    if value is None or param.name is None:
        return value
    from threadkeep.fetch.settings import Settings

    try:
        Settings(**{param.name: value})
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None
    return value


def http_base(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """An option naming a server (``--threadreader-base``, ``--wayback``) is an http(s)
    address with a host, or a usage error."""
    from urllib.parse import urlsplit

    from threadkeep.fetch.redirects import is_http

    try:
        parts = urlsplit(value)
        hostname = parts.hostname
        _ = parts.port  # a port that is no number raises
    except ValueError:  # "http://[::1", "http://host:x"
        hostname = None
    if not (is_http(value) and hostname):
        raise click.BadParameter(f"{value!r} is not an http:// or https:// address", ctx, param)
    if any(c.isspace() or not c.isprintable() for c in value):
        raise click.BadParameter(
            f"{value!r} is not a url: it has a space or a control character in it", ctx, param
        )
    return value


def given(name: str) -> bool:
    """Whether the option ``name`` (its parameter's name) was given on the command line."""
    from click.core import ParameterSource

    ctx = click.get_current_context()
    return ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE


contact_option = click.option(
    "--contact",
    envvar="THREADKEEP_CONTACT",
    show_envvar=True,
    callback=checked_setting,
    help="An email or url added to the User-Agent, so sites can reach you.",
)


def wayback_option(*, help: str) -> Callable[[F], F]:
    """``--wayback BASE`` (``THREADKEEP_WAYBACK``): the web archive asked, by default
    web.archive.org; any server with its interfaces (a mirror, a test server)."""
    return click.option(
        "--wayback", default="https://web.archive.org", show_default=True,
        envvar="THREADKEEP_WAYBACK", show_envvar=True, callback=http_base, help=help,
    )  # fmt: skip


def min_interval_option(*, help: str) -> Callable[[F], F]:
    """``--min-interval``: seconds between requests (the fetch client's politeness)."""
    return click.option(
        "--min-interval", default=1.0, show_default=True, type=float, callback=checked_setting,
        help=help,
    )  # fmt: skip


def format_option(*choices: str, help: str) -> Callable[[F], F]:
    """Every command's ``--format`` (into ``fmt``): ``choices``, the first the default."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=choices[0],
        show_default=True,
        help=help,
    )
