"""Many inputs at once, for the command line and for scripts alike.

The parts, each a module:

* :mod:`~threadkeep.batch.inputs`: the table of input kinds (suffixes and how to open each),
  the walk over folders, reading one input;
* :mod:`~threadkeep.batch.outputs`: output names planned in one linear pass, and the sinks
  that write each result as it arrives (a folder, a stream, one file written whole);
* :mod:`~threadkeep.batch.report`: counts, one-line failure reasons, the summary;
* :mod:`~threadkeep.batch.convert`: :func:`plan` and :func:`convert`, a generator of one
  outcome per input;
* :mod:`~threadkeep.batch.dask`: :func:`convert_dask`, the same conversion as Dask tasks
  (``dask.distributed`` imported only when it runs);
* :mod:`~threadkeep.batch.archiving`: capturing many sources into an archive (imported on
  its own: it is the only part that needs the archive and fetch code).

Example::

    import sys
    from threadkeep import batch

    run = batch.plan(list(batch.inputs(["clippings/"])), fmt="jsonl", output="out.jsonl")
    report = batch.Report(len(run.items))
    for outcome in batch.convert(run, report=report, stdout=sys.stdout, stdin=sys.stdin.buffer):
        if outcome.error:
            print(outcome.error, file=sys.stderr)
"""

from __future__ import annotations

from threadkeep.batch.convert import Outcome, Plan, convert, plan
from threadkeep.batch.dask import convert_dask
from threadkeep.batch.inputs import (
    KINDS,
    SUFFIXES,
    Input,
    InputKind,
    input_list,
    inputs,
    read_input,
    suffix_list,
)
from threadkeep.batch.outputs import Format, plan_names
from threadkeep.batch.report import Report, reason
from threadkeep.files import OutputError, os_problem

__all__ = [
    "KINDS",
    "SUFFIXES",
    "Format",
    "Input",
    "InputKind",
    "Outcome",
    "OutputError",
    "Plan",
    "Report",
    "convert",
    "convert_dask",
    "input_list",
    "inputs",
    "os_problem",
    "plan",
    "plan_names",
    "read_input",
    "reason",
    "suffix_list",
]
