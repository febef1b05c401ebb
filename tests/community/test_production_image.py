"""The production image installs ``requirements/base.lock`` only: Faker and tqdm, which only the demo's
scale-data generator uses, are in ``requirements/demo.lock``.  These tests hold that apart: the production
lock names neither, and every module of the project but the generator's imports and runs without them."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO_ONLY = {"faker", "tqdm"}
PACKAGES = [
    "config",
    "utilities",
    "community",
    "partybuild",
    "staffing",
    "funding",
    "services",
    "worklist",
    "governance",
]
GENERATOR = ("community.demo.generate", "community.demo.names", "community.management.commands.generate_county")

# every project module is imported with Faker and tqdm made unimportable; the generator's modules must fail
PROBE = r"""
import importlib, importlib.abc, json, pkgutil, sys

class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"faker", "tqdm"}:
            raise ImportError(f"{name} is not in the production image")

sys.meta_path.insert(0, Refuse())
import django
django.setup()
from django.core.management import call_command
call_command("check")

PACKAGES = sys.argv[1:]
failed, refused = [], []
for package in PACKAGES:
    module = importlib.import_module(package)
    for info in pkgutil.walk_packages(module.__path__, package + "."):
        try:
            importlib.import_module(info.name)
        except ImportError as exc:
            (refused if "production image" in str(exc) else failed).append(f"{info.name}: {exc}")
print(json.dumps({"failed": failed, "refused": sorted(r.split(":")[0] for r in refused)}))
"""


def test_the_production_lock_has_no_demo_dependency():
    pins = {
        m.group(1).lower()
        for m in re.finditer(r"^([A-Za-z0-9_.-]+)==", (ROOT / "requirements/base.lock").read_text(), re.M)
    }
    assert DEMO_ONLY.isdisjoint(pins)
    demo = (ROOT / "requirements/demo.lock").read_text()
    assert all(re.search(rf"^{name}==", demo, re.M | re.I) for name in DEMO_ONLY)
    assert "requirements/base.lock" in (ROOT / "Dockerfile").read_text()


def test_the_project_runs_without_the_demo_dependencies():
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1"})
    result = subprocess.run([sys.executable, "-c", PROBE, *PACKAGES], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["failed"] == []
    # only the scale-data generator (and its command) needs them
    refused = probe["refused"]
    assert refused and all(
        name.startswith(
            ("community.demo.generate", "community.demo.names", "community.management.commands.generate_county")
        )
        or ".generate" in name
        for name in refused
    ), refused
