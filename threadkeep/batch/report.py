"""What a batch run did, in words a user reads: counts with the right plural, failures.

:class:`Report` counts the inputs done and keeps each failure's one-line reason; it says the
summary (``1 of 3 inputs failed``) and, when a run is interrupted, what was done so far.
:func:`reason` turns any exception one input raised into that one line, never a traceback.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from threadkeep.errors import ThreadkeepError
from threadkeep.files import OutputError, os_problem
from threadkeep.words import plural

__all__ = ["Report", "reason"]

log = logging.getLogger("threadkeep")


def reason(label: str, exc: BaseException) -> str:
    """One line naming the input (or the output) that failed, and why; never a traceback."""
    if isinstance(exc, (ThreadkeepError, OutputError)):
        return str(exc)
    if isinstance(exc, OSError):  # reading the input
        return f"{label}: {os_problem(exc)}"
    # The last line of defence: parse() raises only ThreadkeepError for any input, so this is
    # a bug in threadkeep. Name the input so that it can be reported, in one line.
    detail = (str(exc).splitlines() or [""])[0][:200]
    return (
        f"{label}: internal error ({type(exc).__name__}: {detail}); this is a bug in "
        "threadkeep: please report it with this input"
    )


@dataclass
class Report:
    """The running count of one batch: ``total`` inputs, each done or failed so far.

    ``noun`` names an input in the summary (``input`` for ``convert``, ``source`` for
    ``archive``); ``verb`` what a success did (``converted``, ``archived``).
    """

    total: int
    noun: str = "input"
    verb: str = "converted"
    succeeded: int = 0
    failures: list[str] = field(default_factory=list)
    empty: int = 0
    """Inputs done that held no tweets (``archive``: kept and logged, no document); they are
    counted in ``succeeded`` too: no tweets is no failure."""

    @property
    def done(self) -> int:
        """Inputs finished, failed or not."""
        return self.succeeded + len(self.failures)

    def success(self, label: str, what: str) -> None:
        """Count one input done; ``what`` is logged at INFO (``-v``)."""
        self.succeeded += 1
        log.info("%s: %s %s", label, self.verb, what)

    def nothing(self, label: str, what: str) -> None:
        """Count one input done that held no tweets (see :attr:`empty`)."""
        self.empty += 1
        self.success(label, what)

    def empties(self) -> str | None:
        """``1 of 3 sources held no tweets: ...``, or None when every one held some."""
        if not self.empty:
            return None
        return (
            f"{self.empty} of {plural(self.total, self.noun)} held no tweets "
            "(raw captures kept and logged as empty; no document made)"
        )

    def failure(self, line: str) -> None:
        """Count one failed input, with its one-line reason."""
        self.failures.append(line)
        log.debug("failed: %s", line)

    def summary(self) -> str:
        """``2 of 3 inputs failed`` (or ``1 of 1 input failed``)."""
        return f"{len(self.failures)} of {plural(self.total, self.noun)} failed"

    def interrupted(self) -> list[str]:
        """What to say when the run is stopped: what was done, then each failure so far."""
        lines = [
            f"interrupted after {self.done} of {plural(self.total, self.noun)}: "
            f"{self.succeeded} {self.verb}, {len(self.failures)} failed"
        ]
        return lines + [f"  {failure}" for failure in self.failures]
