"""Write deploy/k8s/policy.yaml from the policy files the services ship.

The landlord's policy lives in one place per service (the TOML files in the packages);
this ConfigMap carries the same text into the cluster, mounted at /etc/hearth, where
HEARTH_CASES_POLICY_FILE, HEARTH_CASES_ROSTER_FILE, HEARTH_INTAKE_POLICY_FILE,
HEARTH_RISK_POLICY_FILE, HEARTH_REFERRALS_POLICY_FILE and HEARTH_REPORTING_POLICY_FILE
point.
Run `make k8s-policy` after changing a policy file; a test fails while they differ.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "deploy" / "k8s" / "policy.yaml"
FILES = {
    "cases-policy.toml": ROOT / "services/cases/src/hearth/cases/policy.toml",
    "cases-roster.toml": ROOT / "services/cases/src/hearth/cases/roster.toml",
    "intake-policy.toml": ROOT / "services/intake/src/hearth/intake/policy.toml",
    "risk-policy.toml": ROOT / "services/risk/src/hearth/risk/policy.toml",
    "referrals-policy.toml": ROOT / "services/referrals/src/hearth/referrals/policy.toml",
    "reporting-policy.toml": ROOT / "services/reporting/src/hearth/reporting/policy.toml",
}
HEADER = """\
# The landlord's policy: deadlines, thresholds and the staff roster, which are one
# organisation's choices, not law (see DOMAIN.md). Generated from the files each
# service ships by deploy/k8s/render_policy.py (`make k8s-policy`): change those.
apiVersion: v1
kind: ConfigMap
metadata:
  name: hearth-policy
  labels:
    app.kubernetes.io/part-of: hearth
data:
"""


def render() -> str:
    parts = [HEADER]
    for key, path in FILES.items():
        parts.append(f"  {key}: |\n")
        for line in path.read_text().splitlines():
            parts.append(f"    {line}\n" if line else "\n")
    return "".join(parts)


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        sys.exit(0 if TARGET.read_text() == render() else 1)
    TARGET.write_text(render())
    print(f"wrote {TARGET.relative_to(ROOT)}")
