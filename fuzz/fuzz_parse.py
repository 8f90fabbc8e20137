"""Coverage-guided fuzzing of ``threadkeep.parse`` with atheris (libFuzzer for Python).

One harness, three input kinds, each seeded from its own fixtures::

    python fuzz/fuzz_parse.py --kind html  [libFuzzer options] CORPUS_DIR [SEED_DIR ...]
    python fuzz/fuzz_parse.py --kind text  ...
    python fuzz/fuzz_parse.py --kind json  ...

Every input must give a model or a ``ThreadkeepError``; a model must survive its JSON round
trip (``Model.model_validate_json(m.model_dump_json()) == m``). Anything else is a crash,
written by libFuzzer as ``crash-<sha1>`` under ``-artifact_prefix``. Slow inputs are caught
with ``-timeout`` and memory hogs with ``-rss_limit_mb``. ``fuzz/run.py`` runs all three with
the settings used for ``docs/security.md``.

The kind only chooses a prefix that steers the input to one family of parsers: ``html``
inputs are parsed as they are (the seeds are pages), ``text`` inputs get no prefix either
but their seeds are text copies, and ``json`` inputs are forced to start with ``{`` so that
every mutation reaches the JSON readers rather than being sniffed as text.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import atheris  # type: ignore[import-untyped]

# ``import threadkeep`` loads its parsers lazily, on first use: a module first imported
# outside this block is not instrumented, and libFuzzer then sees a few dozen edges instead
# of the parsers' thousands. So every module parse() can reach is imported here.
_PARSE_PACKAGES = ("threadkeep.parsing",)
_PARSE_MODULES = ("threadkeep.encoding", "threadkeep.urls", "threadkeep.limits", "threadkeep.files")

with atheris.instrument_imports(include=["threadkeep"]):
    import threadkeep
    import threadkeep.parsing
    from threadkeep.models import result_adapter

    for _name in _PARSE_MODULES:
        importlib.import_module(_name)
    for _info in pkgutil.walk_packages(threadkeep.parsing.__path__, "threadkeep.parsing."):
        importlib.import_module(_info.name)

KIND = "html"


def check(data: bytes) -> None:
    """The contract: a model that survives its JSON round trip, or a ThreadkeepError."""
    if KIND == "json" and not data.lstrip().startswith((b"{", b"[")):
        data = b"{" + data
    message: str | None
    try:
        result = threadkeep.parse(data, source="<fuzz>")
    except threadkeep.ThreadkeepError as exc:
        message = str(exc)
    else:
        message = None
    if message is not None:
        if "\n" in message or not message.startswith("<fuzz>: "):
            raise AssertionError(f"error message not one line naming the input: {message!r}")
        return
    text = result.model_dump_json()
    again = type(result).model_validate_json(text)
    if again != result:
        raise AssertionError("model changed in its JSON round trip")
    if result_adapter.validate_json(text) != result:
        raise AssertionError("model changed in its JSON round trip (through the union)")


def main() -> None:
    global KIND
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--kind", choices=["html", "text", "json"], default="html")
    known, rest = options.parse_known_args()
    KIND = known.kind
    atheris.Setup([sys.argv[0], *rest], check)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
