"""The Python models follow the server's wire: `_wire.py` is what the live server's OpenAPI document generates."""

from __future__ import annotations

import difflib
import importlib.util
from pathlib import Path
from types import ModuleType

import httpx

import terrarium
from terrarium import BinaryExecuteResult, JobExecuteResult, types

from support import HERE, Server

GENERATOR = HERE.parent / "scripts" / "generate_wire.py"


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_wire", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_wire_module_is_what_the_server_generates(server: Server, tmp_path: Path) -> None:
    document = httpx.get(f"{server.url}/openapi.json", timeout=30)
    assert document.status_code == 200, document.text
    gen = generator()
    expected = gen.generate(document.json())
    committed = gen.TARGET.read_text()
    if committed != expected:
        saved = tmp_path / "openapi.json"
        saved.write_text(document.text)
        diff = "".join(
            list(difflib.unified_diff(committed.splitlines(True), expected.splitlines(True), "committed", "server"))[
                :60
            ]
        )
        raise AssertionError(
            "src/terrarium/_wire.py differs from what the server's /openapi.json generates: the wire changed.\n"
            f"Regenerate: scripts/python-sdk.sh wire (or: python sdks/python/scripts/generate_wire.py {saved})\n"
            "then follow the change in the SDK (its methods and README), and commit both.\n" + diff
        )


def test_binary_execute_results_have_the_fields_of_execute_results() -> None:
    assert list(BinaryExecuteResult.model_fields) == list(JobExecuteResult.model_fields)


def test_every_public_type_is_exported_at_the_top() -> None:
    assert set(types.__all__) <= set(terrarium.__all__)
    for name in terrarium.__all__:
        assert hasattr(terrarium, name), name
