"""The ``threadkeep`` command line: arguments in, one library call, results and errors out.

Machine output goes to stdout, progress and diagnostics to stderr. Exit status: 0 when every
input succeeded, 1 when some failed (each named on stderr with its reason), 2 on bad usage,
130 when stopped with Ctrl-C (after saying what was done).

The commands live in :mod:`~threadkeep.cli.convert` (``convert``, ``schema``),
:mod:`~threadkeep.cli.archive` (``archive``), :mod:`~threadkeep.cli.media` (``media``),
:mod:`~threadkeep.cli.recover` (``recover``)
and :mod:`~threadkeep.cli.store` (``show``, ``history``, ``verify``, ``export``,
``reparse``); each imports the library inside its body,
so that ``threadkeep --help`` and ``--version`` load neither parsers nor httpx.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

from threadkeep._version import __version__
from threadkeep.cli import archive, convert, media, recover, store
from threadkeep.cli.common import Failed, Interrupted, log_to_stderr

__all__ = ["cli", "main"]


class _Group(click.Group):
    """The ``threadkeep`` group: the one place library errors become ``threadkeep: …`` lines."""

    def invoke(self, ctx: click.Context) -> Any:
        from threadkeep.errors import ThreadkeepError
        from threadkeep.files import OutputError, os_problem

        try:
            return super().invoke(ctx)
        except (ThreadkeepError, OutputError) as exc:
            raise Failed(str(exc)) from exc
        except BrokenPipeError:
            raise  # click ends quietly when stdout's reader has gone (`| head`)
        except OSError as exc:  # a file named in an option (--from) that cannot be read
            raise Failed(
                f"{exc.filename}: {os_problem(exc)}" if exc.filename else str(exc)
            ) from exc
        except KeyboardInterrupt:  # batch commands say what was done; here, nothing was
            raise Interrupted("interrupted") from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="threadkeep")
@click.option("-v", "--verbose", count=True, help="Say more on stderr (-vv: debugging detail).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr; no progress bar.")
def cli(verbose: int, quiet: bool) -> None:
    """Keep tweets that would otherwise be lost: parse, archive and compare saved copies.

    threadkeep does not log in to X and does not bypass access controls: it reads copies you
    have, and fetches only public pages you name.

    Example:

    \b
        threadkeep convert saved-page.html --format md
        threadkeep archive saved-page.html
        threadkeep show 1215710451343904768
    """
    log_to_stderr(verbose, quiet)


for _command in (
    *convert.COMMANDS,
    *archive.COMMANDS,
    *media.COMMANDS,
    *recover.COMMANDS,
    *store.COMMANDS,
):
    cli.add_command(_command)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``threadkeep`` console script."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="threadkeep")
