"""Every fixture page parses to its reviewed golden JSON (``fixtures/<source>/<case>.json``).

Adding a ``<case>.html`` with its golden adds a test. ``pytest --update-golden`` rewrites the
goldens from today's parse; the diff is reviewed by a person before it is committed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import threadkeep
from tests.conftest import FIXTURES, golden_cases, golden_path

CASES = golden_cases()


@pytest.mark.parametrize("page", CASES, ids=[str(p.relative_to(FIXTURES)) for p in CASES])
def test_page_matches_golden(page: Path, update_golden: bool) -> None:
    result = threadkeep.parse(page.read_bytes(), source=page.name)
    produced = json.loads(result.model_dump_json())
    golden = golden_path(page)
    if update_golden:
        golden.write_text(json.dumps(produced, indent=2, ensure_ascii=False) + "\n", "utf-8")
    assert golden.exists(), f"no golden for {page.name}: run pytest --update-golden and review it"
    expected = json.loads(golden.read_text("utf-8"))
    assert produced == expected
    # The golden is also valid input for the models: JSON round-trips to the same result.
    assert threadkeep.models.result_adapter.validate_json(golden.read_bytes()) == result


def test_every_fixture_folder_has_cases() -> None:
    assert len(CASES) >= 6
