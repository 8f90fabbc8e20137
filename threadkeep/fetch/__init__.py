"""Fetching, politely: :class:`Client` (sync) and :class:`AsyncClient`, both over httpx.

Every request threadkeep makes (docs/fetching.md gives the defaults and the reasons):

* says who sends it: ``User-Agent: threadkeep/<version> (+<project url>; <contact>)``;
* waits its turn: ``min_interval`` seconds between requests to one host (host and port), at
  most ``concurrency`` requests in flight per client;
* is retried (tenacity) after connection errors, timeouts, 408, 429 and 5xx, with exponential
  backoff plus jitter, honouring ``Retry-After``; other 4xx fail at once;
* follows at most ``max_redirects`` redirects, by hand, refusing any hop that is not http(s);
* connects only to addresses its address policy allows, checked after resolution at every hop
  (never link-local; not loopback or private after a public address unless ``allow_private``);
* ends at the ``deadline``, whatever part of the exchange it is in;
* reads at most ``max_bytes`` of body, counted while streaming (Content-Length checked first).

A failure is a :class:`~threadkeep.errors.FetchError` subclass naming the url, the status and
the attempts made. Fetching never parses by itself: ``fetch_thread``, ``fetch_tweet`` and
``fetch_article`` hand the bytes to :func:`threadkeep.parse` and stamp the result's Sighting
with the capture's time and hash. Retries, waits and redirect hops are logged at INFO on the
``threadkeep.fetch`` logger.

The modules, from the outside in:

* :mod:`.client`, :mod:`.async_client`: the two clients, only their I/O;
* :mod:`.base`: their shared constructor; :mod:`.settings`: the limits they fetch under;
* :mod:`.endpoints`: where they ask (Thread Reader, oEmbed, syndication) and the User-Agent;
* :mod:`.retry`: one fetch's tries (tenacity policy, waits, the deadline);
* :mod:`.redirects`: which urls are fetched, and one attempt's walk over redirect hops;
* :mod:`.politeness`: per-host turns and the concurrency cap;
* :mod:`.addresses`: where a hop may connect; :mod:`.network`: the connection layer under httpx
  that resolves, checks and connects, every wait cut to the deadline;
* :mod:`.body`: reading a body under the size cap; :mod:`.failures`: what a failed try is;
* :mod:`.capture`: the :class:`Capture` a fetch returns, and reading it as a model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from threadkeep._lazy import lazy_names

if TYPE_CHECKING:
    from threadkeep.fetch.async_client import AsyncClient
    from threadkeep.fetch.capture import Capture
    from threadkeep.fetch.client import Client
    from threadkeep.fetch.endpoints import syndication_token

__all__ = ["AsyncClient", "Capture", "Client", "syndication_token"]

# Loaded on first use, so that importing one light module of the package (the endpoint urls,
# the scheme check) does not load httpx, tenacity and the parser with the clients.
_HOMES = {
    "AsyncClient": "threadkeep.fetch.async_client",
    "Capture": "threadkeep.fetch.capture",
    "Client": "threadkeep.fetch.client",
    "syndication_token": "threadkeep.fetch.endpoints",
}


__getattr__, __dir__ = lazy_names(globals(), _HOMES, __all__)
