"""The tree is the architecture: each layer imports only the layers below it (architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "hubcrm"

# What each package may import from hubcrm besides itself.
ALLOWED = {
    "protocol": (),
    "store": ("hubcrm.protocol.definitions",),
    "domain": ("hubcrm.protocol", "hubcrm.store.base", "hubcrm.store.errors"),
    "control": ("hubcrm.protocol", "hubcrm.domain", "hubcrm.store.base"),
    "transfer": ("hubcrm.protocol",),
    "ui": ("hubcrm.protocol", "hubcrm.domain", "hubcrm.control", "hubcrm.store.base"),
    "api": (
        "hubcrm.protocol",
        "hubcrm.domain",
        "hubcrm.control",
        "hubcrm.store",
        "hubcrm.runtime",
        "hubcrm.ui",
    ),
}


def hubcrm_imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            found.update(n for n in names[:1] if n.startswith("hubcrm"))
            if node.module == "hubcrm":
                found.update(names[1:])
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("hubcrm"))
    return found


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_each_layer_imports_only_the_layers_below_it(layer: str) -> None:
    own = f"hubcrm.{layer}"
    allowed = (own, *ALLOWED[layer])
    wrong = {
        f"{path.relative_to(SRC)}: {name}"
        for path in (SRC / layer).rglob("*.py")
        for name in hubcrm_imports(path)
        if not any(name == a or name.startswith(a + ".") for a in allowed)
    }
    assert wrong == set()
