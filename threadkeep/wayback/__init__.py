"""Recovering what was removed: a tweet's copies in the web archive, found, fetched, archived.

:func:`recover` is the whole of ``threadkeep recover``. The modules, from the outside in:

* :mod:`.recovery`: one run (lookups, fetches, the archive) and :func:`recover` over it;
* :mod:`.targets`: what a TARGET names (a tweet id, and the handle when the url gives one);
* :mod:`.lookup`: the urls a tweet's copies live under, and which archived urls are its;
* :mod:`.cdx`: the web archive's index (its CDX interface): query urls, answers read warily;
* :mod:`.report`: :class:`RecoverReport`, what a run did.

The archive is never changed here but through :meth:`threadkeep.Archive.add`; fetching is
the fetch client's (:class:`threadkeep.Client`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from threadkeep._lazy import lazy_names

if TYPE_CHECKING:
    from threadkeep.wayback.recovery import WAYBACK, recover
    from threadkeep.wayback.report import CameBack, LookedUp, RecoverReport
    from threadkeep.wayback.targets import Target, target

__all__ = ["WAYBACK", "CameBack", "LookedUp", "RecoverReport", "Target", "recover", "target"]

_HOMES = {
    "WAYBACK": "threadkeep.wayback.recovery",
    "recover": "threadkeep.wayback.recovery",
    "CameBack": "threadkeep.wayback.report",
    "LookedUp": "threadkeep.wayback.report",
    "RecoverReport": "threadkeep.wayback.report",
    "Target": "threadkeep.wayback.targets",
    "target": "threadkeep.wayback.targets",
}

__getattr__, __dir__ = lazy_names(globals(), _HOMES, __all__)
