"""The cluster gets the same policy the services ship and the same settings they read."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_k8s_policy_configmap_is_rendered_from_the_shipped_policy_files() -> None:
    check = subprocess.run(
        [sys.executable, str(ROOT / "deploy/k8s/render_policy.py"), "--check"], check=False
    )
    assert check.returncode == 0, "deploy/k8s/policy.yaml is stale: run `make k8s-policy`"


def test_the_configmap_points_each_service_at_its_mounted_policy_file() -> None:
    config = (ROOT / "deploy/k8s/config.yaml").read_text()
    policy = (ROOT / "deploy/k8s/policy.yaml").read_text()
    for variable, key in [
        ("HEARTH_CASES_POLICY_FILE", "cases-policy.toml"),
        ("HEARTH_CASES_ROSTER_FILE", "cases-roster.toml"),
        ("HEARTH_INTAKE_POLICY_FILE", "intake-policy.toml"),
        ("HEARTH_REPORTING_POLICY_FILE", "reporting-policy.toml"),
    ]:
        assert f"{variable}: /etc/hearth/{key}" in config
        assert f"\n  {key}: |\n" in policy
