"""The package's wiring: every module can be imported first, on its own, and changes nothing when
it is; the stages are joined to the workflow and the job runner in one place (thidua.stages)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from thidua import freeze, stages, workflow
from thidua.awards import services as awards_services
from thidua.jobs import services as job_services
from thidua.results import permissions as results_permissions
from thidua.review import permissions as review_permissions

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1] if path.name == "__init__.py"
             else path.relative_to(ROOT).with_suffix("").parts)
    for path in (ROOT / "thidua").rglob("*.py")
)

# One fresh interpreter imports each module first and reports, per module, whether importing it
# registered anything in the workflow's or the job runner's tables (it must not: only wire() does).
PROBE = """
import importlib, json, sys
module = sys.argv[1]
try:
    importlib.import_module(module)
except Exception as error:  # noqa: BLE001
    print(json.dumps({"error": f"{type(error).__name__}: {error}"}))
    raise SystemExit(0)
from thidua import freeze, workflow
from thidua.jobs import services
from thidua.results import permissions as results_permissions
print(json.dumps({"registered": sorted(workflow.REQUIREMENTS) + sorted(workflow.EFFECTS)
                  + [repr(f) for f in (*workflow.LISTENERS, *freeze.FROZEN_BY, *results_permissions.REVIEWER_READS)] + sorted(services.HANDLERS)}))
"""


def _probe(modules: list[str]) -> dict[str, dict]:
    import json
    from concurrent.futures import ThreadPoolExecutor

    def one(module):
        done = subprocess.run([sys.executable, "-c", PROBE, module], cwd=ROOT, capture_output=True, text=True,
                              timeout=120)
        lines = done.stdout.strip().splitlines()
        return module, (json.loads(lines[-1]) if lines else {"error": done.stderr.strip()[-300:]})

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(pool.map(one, modules))


@pytest.fixture(scope="module")
def probes():
    return _probe(MODULES)


def test_the_package_has_the_modules_the_probe_walks():
    assert "thidua.workflow" in MODULES and "thidua.review.services" in MODULES and len(MODULES) > 100


def test_every_module_of_the_package_can_be_imported_first_in_a_fresh_interpreter(probes):
    failures = {module: result["error"] for module, result in probes.items() if "error" in result}
    assert failures == {}


def test_importing_a_module_alone_registers_nothing_only_create_app_wires_the_stages(probes):
    registering = {module: result["registered"] for module, result in probes.items() if result.get("registered")}
    assert registering == {}


def test_every_check_a_transition_requires_is_bound_to_a_function(app):
    required = {move.requires for move in workflow.TRANSITIONS.values() if move.requires}
    assert required == set(workflow.REQUIREMENTS)  # none missing, none bound that no move names
    assert all(callable(check) for check in workflow.REQUIREMENTS.values())


def test_every_effect_is_bound_to_a_move_of_the_table(app):
    names = {move.name for move in workflow.TRANSITIONS.values()}
    assert set(workflow.EFFECTS) <= names
    assert {"report", "resubmit", "reopen_report", "publish", "unpublish"} <= set(workflow.EFFECTS)


def test_every_kind_of_job_the_app_starts_has_its_handler(app):
    kinds = set(stages.JOB_HANDLERS)
    assert kinds <= set(job_services.HANDLERS)
    started = _kinds_started_in_code()
    assert started, "the scan found no start_job call"
    assert started <= set(job_services.HANDLERS), f"started without a handler: {started - set(job_services.HANDLERS)}"


def test_what_freezes_the_earlier_stages_is_bound_by_create_app(app):
    assert freeze.FROZEN_BY == [awards_services.list_frozen]


def test_the_reviewers_who_read_a_report_are_bound_by_create_app(app):
    assert results_permissions.REVIEWER_READS == [review_permissions.is_assigned_reviewer]


def test_wiring_twice_leaves_one_listener_and_the_same_tables(app):
    before = (dict(workflow.REQUIREMENTS), dict(workflow.EFFECTS), list(workflow.LISTENERS), list(freeze.FROZEN_BY))
    stages.wire()
    assert (dict(workflow.REQUIREMENTS), dict(workflow.EFFECTS), list(workflow.LISTENERS),
            list(freeze.FROZEN_BY)) == before
    assert len(workflow.LISTENERS) == len(set(workflow.LISTENERS)) == 1


def _kinds_started_in_code() -> set[str]:
    """The job kinds passed to start_job(...) anywhere in the package, resolved to their values."""
    import ast
    import importlib

    kinds: set[str] = set()
    for module in MODULES:
        path = ROOT.joinpath(*module.split("."))
        path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "start_job":
                if not node.args:
                    continue
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    kinds.add(first.value)
                elif isinstance(first, ast.Name):
                    value = getattr(importlib.import_module(module), first.id, None)
                    if isinstance(value, str):
                        kinds.add(value)
                elif isinstance(first, ast.Attribute) and isinstance(first.value, ast.Name):
                    owner = getattr(importlib.import_module(module), first.value.id, None)
                    value = getattr(owner, first.attr, None)
                    if isinstance(value, str):
                        kinds.add(value)
    return kinds
