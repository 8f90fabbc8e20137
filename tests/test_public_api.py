"""The public surface: ``import threadkeep`` gives every public name, and only those."""

from __future__ import annotations

import inspect

import threadkeep
from threadkeep import errors


def test_all_is_sorted_and_complete() -> None:
    public = {
        name
        for name in dir(threadkeep)
        if not name.startswith("_") and not inspect.ismodule(getattr(threadkeep, name))
    }
    public -= {"annotations"}  # from __future__
    public |= {"__version__"}
    assert sorted(threadkeep.__all__) == threadkeep.__all__
    assert set(threadkeep.__all__) == public


def test_every_exception_is_exported_and_derives_from_the_root() -> None:
    classes = [
        obj
        for _, obj in inspect.getmembers(errors, inspect.isclass)
        if issubclass(obj, Exception) and obj.__module__ == errors.__name__
    ]
    assert len(classes) == 17
    for cls in classes:
        assert getattr(threadkeep, cls.__name__) is cls
        assert issubclass(cls, threadkeep.ThreadkeepError)


def test_version_is_a_string() -> None:
    assert threadkeep.__version__.count(".") == 2
