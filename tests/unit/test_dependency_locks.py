"""The layer and the dev venv are installed from locks: every package pinned and hashed, one version each.

moto and the tests run against the dev venv; Lambda runs the layer. A package at one version in the venv
and another in the layer (boto3 1.44.5 tested, 1.44.8 shipped, before the locks) is a release nobody tested.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers" / "civicline"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def _name(raw: str) -> str:
    return re.sub(r"[-_.]+", "-", raw).lower()


def _lock(path: Path) -> dict[str, str]:
    """{package: version} of a lock, asserting each entry is pinned with at least one sha256."""
    pins: dict[str, str] = {}
    for entry in re.split(r"\n(?=\S)", path.read_text(encoding="utf-8")):
        if not entry.strip() or entry.startswith(("#", "-")):
            continue
        found = PIN.match(entry)
        assert found, f"{path.name}: not pinned with ==: {entry.splitlines()[0]}"
        assert "--hash=sha256:" in entry, f"{path.name}: {found[1]} has no hash"
        pins[_name(found[1])] = found[2]
    return pins


def _direct(path: Path) -> dict[str, str]:
    """{package: version} of the pinned direct requirements in a .in file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return {_name(m[1]): m[2] for line in lines if (m := PIN.match(line.strip()))}


def test_every_layer_package_is_pinned_with_hashes_at_the_version_the_tests_run_against() -> None:
    # Given both locks
    layer, dev = _lock(LAYER / "requirements.txt"), _lock(ROOT / "requirements-dev.txt")
    # Then every package Lambda gets (dependencies of dependencies included) is in the dev lock, same version
    assert len(layer) > len(_direct(LAYER / "requirements.in"))
    assert {name: dev.get(name) for name in layer} == layer


def test_the_locks_honour_the_pins_people_wrote() -> None:
    layer, dev = _lock(LAYER / "requirements.txt"), _lock(ROOT / "requirements-dev.txt")
    assert _direct(LAYER / "requirements.in").items() <= layer.items()
    assert _direct(ROOT / "requirements-dev.in").items() <= dev.items()


def test_the_layer_is_built_from_its_lock_with_hashes_checked_for_lambdas_cpu() -> None:
    # Given the template's layer and the Makefile sam build runs for it
    class _Loader(yaml.SafeLoader):
        pass

    _Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    template = yaml.load((ROOT / "template.yaml").read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    layer = template["Resources"]["CiviclineLayer"]
    assert layer["Metadata"]["BuildMethod"] == "makefile"
    assert layer["Properties"]["ContentUri"] == "layers/civicline/"
    recipe = (LAYER / "Makefile").read_text(encoding="utf-8")
    # Then pip installs the lock with every file's hash checked, arm64 wheels only
    install = next(line for line in recipe.replace("\\\n", " ").splitlines() if " pip install " in line)
    for option in ("--require-hashes", "--only-binary=:all:", "manylinux2014_aarch64", "-r requirements.txt"):
        assert option in install
    # and the result is precompiled, since /opt is read-only in Lambda
    assert "compileall" in recipe
    assert "unchecked-hash" in recipe


def test_the_venv_is_installed_from_the_dev_lock_with_hashes() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "pip install --quiet --require-hashes -r requirements-dev.txt" in makefile
