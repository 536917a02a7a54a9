"""Legacy is kept apart: no live module imports `workflows.legacy` (only the worker's
registry does, to run the previous release's workflows on their queue), each legacy package
imports nothing of the live code, and a package is never edited once frozen."""

from __future__ import annotations

import ast
import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIVE_PACKAGES = ("workflows", "activities", "adapters", "domain", "worker", "starter", "runtime")
PROJECT = (*LIVE_PACKAGES, "tests", "bench")
# The worker's registry: it runs the carried generations.
REGISTRY = {"worker/app.py", "worker/legacy_orders.py"}
LEGACY = ROOT / "workflows" / "legacy"


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def live_modules() -> list[Path]:
    return [
        path
        for package in LIVE_PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if LEGACY not in path.parents
    ]


def test_no_live_module_imports_legacy_but_the_registry() -> None:
    importers = {
        str(path.relative_to(ROOT))
        for path in live_modules()
        if any(name.startswith("workflows.legacy") for name in imports(path))
    }
    assert importers <= REGISTRY


def test_each_legacy_package_imports_only_itself() -> None:
    for package in (p for p in LEGACY.iterdir() if p.is_dir() and p.name != "__pycache__"):
        own = f"workflows.legacy.{package.name}"
        for path in package.rglob("*.py"):
            for name in imports(path):
                if name.split(".")[0] in PROJECT:
                    assert name.startswith(own), f"{path.relative_to(ROOT)} imports {name}"


def digest(package: Path) -> dict[str, str]:
    return {
        str(path.relative_to(package)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(package.rglob("*.py"))
    }


def test_legacy_packages_are_frozen() -> None:
    """Each package's files are as they were frozen (FROZEN.json beside them): a legacy
    package is deleted once its release has no open workflow, never edited."""
    for package in (p for p in LEGACY.iterdir() if p.is_dir() and p.name != "__pycache__"):
        frozen = json.loads((package / "FROZEN.json").read_text())
        assert digest(package) == frozen["sha256"], f"{package.name} was edited"


def test_live_patch_ids_are_named_in_one_module() -> None:
    from workflows.patches import PATCHES

    for path in (ROOT / "workflows").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("patched", "deprecate_patch")
            ):
                argument = node.args[0]
                named = (isinstance(argument, ast.Constant) and argument.value in PATCHES) or (
                    isinstance(argument, ast.Attribute)
                    and isinstance(argument.value, ast.Name)
                    and argument.value.id == "patches"
                )
                assert named, (
                    f"{path.name}:{node.lineno}: name the patch id in workflows/patches.py"
                )
