"""Regenerate the parts of the docs that are read off the code.

* ``docs/cli-reference.md``: the ``--help`` of ``threadkeep`` and of every command;
* ``docs/schema.json``: what ``threadkeep schema`` prints;
* ``docs/json-schema.md``: a table of every model's fields, read from that schema.

Generated text sits between the ``BEGIN GENERATED`` and ``END GENERATED`` markers; the prose
around it is written by hand. Run from the repository root after changing a command or a
model, and commit the result::

    python docs/gen_reference.py           # rewrite the generated parts
    python docs/gen_reference.py --check   # exit 1 if any of them is stale (tests do this)
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import click
from click.testing import CliRunner

from threadkeep.archive.records import AddResult
from threadkeep.archive.view_models import ArchivedThread, History
from threadkeep.cli import cli

DOCS = Path(__file__).resolve().parent
BEGIN = "<!-- BEGIN GENERATED: python docs/gen_reference.py -->"
END = "<!-- END GENERATED -->"
WIDTH = 80  # --help is wrapped to the terminal; fix the width so the text is reproducible


def command_help(args: list[str]) -> str:
    """The ``--help`` text of ``threadkeep ARGS``, as a user sees it in an 80-column terminal."""
    result = CliRunner().invoke(
        cli, [*args, "--help"], prog_name="threadkeep", terminal_width=WIDTH
    )
    if result.exit_code != 0:
        raise RuntimeError(f"threadkeep {' '.join(args)} --help failed: {result.output}")
    return result.output


def cli_reference() -> str:
    """Markdown: one section per command, each with its ``--help``."""
    context = click.Context(cli, info_name="threadkeep")
    parts = [f"## `threadkeep`\n\n```text\n$ threadkeep --help\n{command_help([])}```\n"]
    for name in cli.list_commands(context):
        command = cli.get_command(context, name)
        if command is None or command.hidden:
            continue
        summary = command.get_short_help_str(limit=200)
        parts.append(
            f"## `threadkeep {name}`\n\n{summary}\n\n"
            f"```text\n$ threadkeep {name} --help\n{command_help([name])}```\n"
        )
    return "\n".join(parts)


def schema() -> dict[str, Any]:
    """The JSON Schema ``threadkeep schema`` prints."""
    runner = CliRunner()
    result = runner.invoke(cli, ["schema"], prog_name="threadkeep")
    if result.exit_code != 0:
        raise RuntimeError(f"threadkeep schema failed: {result.output}")
    document: dict[str, Any] = json.loads(result.output)
    return document


def schema_text() -> str:
    """``docs/schema.json``: the schema exactly as ``threadkeep schema`` prints it."""
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"


def _type(prop: dict[str, Any]) -> str:
    """A field's JSON type in a few words: ``string | null``, ``array of Tweet``, …"""
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if "const" in prop:
        return f'`"{prop["const"]}"`'
    if "enum" in prop:
        return " \\| ".join(f'`"{value}"`' for value in prop["enum"])
    for key in ("anyOf", "oneOf"):
        if key in prop:
            return " \\| ".join(_type(option) for option in prop[key])
    kind = prop.get("type", "any")
    if kind == "array":
        return f"array of {_type(prop.get('items', {}))}"
    if kind == "object" and "additionalProperties" in prop:
        return f"object of {_type(prop['additionalProperties'])}"
    if prop.get("format") == "date-time":
        return "string (date-time)"
    return str(kind)


def _default(name: str, prop: dict[str, Any], required: set[str]) -> str:
    if name in required:
        return "required"
    if "default" not in prop:
        return ""
    return f"`{json.dumps(prop['default'], ensure_ascii=False)}`"


def _table(name: str, model: dict[str, Any]) -> str:
    required = set(model.get("required", ()))
    rows = [
        f"| `{field}` | {_type(prop)} | {_default(field, prop, required)} |"
        for field, prop in model["properties"].items()
    ]
    header = "| field | JSON type | default |\n|---|---|---|\n"
    return f"### {name}\n\n{header}" + "\n".join(rows) + "\n"


def _archive_schemas() -> list[tuple[str, dict[str, Any]]]:
    """The archive's JSON views: ``show --format json``, ``history --format json``, …"""
    return [
        (model.__name__, model.model_json_schema(mode="serialization"))
        for model in (ArchivedThread, History, AddResult)
    ]


def schema_tables() -> str:
    """Markdown: every model's fields, types and defaults, read from the JSON Schemas."""
    document = schema()
    kinds = [option["$ref"].rsplit("/", 1)[-1] for option in document["oneOf"]]
    parts = [
        "## Results\n\nWhat `threadkeep convert` writes and `threadkeep schema` describes. "
        "Top-level results are told apart by `kind`: "
        + ", ".join(f"[{name}](#{name.lower()})" for name in kinds)
        + ".\n"
    ]
    done = set(document["$defs"])
    parts.extend(_table(name, model) for name, model in document["$defs"].items())
    parts.append(
        "## Archive views\n\nWhat `threadkeep show --format json` ([ArchivedThread]"
        "(#archivedthread)), `threadkeep export` (one [ArchivedTweet](#archivedtweet) a line), "
        "`threadkeep history --format json` ([History](#history)) and `threadkeep archive "
        "--format json` (an [AddResult](#addresult) plus `source`; a failed source gives "
        '`{"source": …, "outcome": "failed", "error": …}`) write. Models already listed '
        "above are not repeated.\n"
    )
    for name, model in _archive_schemas():
        defs = {name: model, **model.get("$defs", {})}
        for def_name, definition in sorted(defs.items(), key=lambda item: item[0] != name):
            if def_name not in done:
                done.add(def_name)
                parts.append(_table(def_name, definition))
    return "\n".join(parts)


def _replace(text: str, generated: str, path: Path) -> str:
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise RuntimeError(f"{path}: no {BEGIN} … {END} markers")
    return pattern.sub(lambda _: f"{BEGIN}\n\n{generated}\n{END}", text, count=1)


def expected() -> dict[Path, str]:
    """Every generated file as it should be now."""
    reference = DOCS / "cli-reference.md"
    tables = DOCS / "json-schema.md"
    return {
        reference: _replace(reference.read_text("utf-8"), cli_reference(), reference),
        tables: _replace(tables.read_text("utf-8"), schema_tables(), tables),
        DOCS / "schema.json": schema_text(),
    }


def stale() -> list[Path]:
    """The generated files whose committed text differs from what the code gives now."""
    return [
        path
        for path, text in expected().items()
        if not path.exists() or path.read_text("utf-8") != text
    ]


def main(argv: list[str]) -> int:
    """Rewrite the generated files, or with ``--check`` only say which are stale."""
    if "--check" in argv:
        behind = stale()
        for path in behind:
            print(f"stale: {path.relative_to(DOCS.parent)} (run python docs/gen_reference.py)")
        return 1 if behind else 0
    for path, text in expected().items():
        if not path.exists() or path.read_text("utf-8") != text:
            path.write_text(text, "utf-8")
            print(f"wrote {path.relative_to(DOCS.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
