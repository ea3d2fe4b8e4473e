"""Choosing a case manager from the roster; the roster and policy files."""

from __future__ import annotations

from pathlib import Path

import pytest

from hearth.cases.domain.staff import Roster, StaffMember, StaffRole, choose_case_manager
from hearth.cases.settings import (
    DEFAULT_POLICY_FILE,
    DEFAULT_ROSTER_FILE,
    CasesSettings,
    ConfigurationError,
    load_config,
)
from hearth.contracts.events.common import Gender


def roster(*members: StaffMember) -> Roster:
    lead = StaffMember(staff_id="lead", role=StaffRole.DA_LEAD, gender=None, active=True)
    return Roster(staff=(*members, lead))


def officer(staff_id: str, gender: Gender | None, active: bool = True) -> StaffMember:
    return StaffMember(staff_id=staff_id, role=StaffRole.CASE_MANAGER, gender=gender, active=active)


def test_the_lowest_caseload_among_those_matching_wins() -> None:
    team = roster(officer("a", Gender.WOMAN), officer("b", Gender.WOMAN), officer("c", Gender.MAN))
    choice = choose_case_manager(team, {"a": 4, "b": 2, "c": 0}, Gender.WOMAN)
    assert choice.member is not None and choice.member.staff_id == "b"
    assert choice.preference_met is True


def test_ties_go_to_the_lowest_staff_id() -> None:
    team = roster(officer("b", Gender.MAN), officer("a", Gender.MAN))
    assert choose_case_manager(team, {}, None).member.staff_id == "a"  # type: ignore[union-attr]


def test_staff_involved_are_never_chosen() -> None:
    team = roster(officer("a", Gender.WOMAN), officer("b", Gender.WOMAN))
    choice = choose_case_manager(team, {"a": 0, "b": 9}, None, exclude={"a"})
    assert choice.member is not None and choice.member.staff_id == "b"


def test_nobody_available_means_no_case_manager() -> None:
    team = roster(officer("a", Gender.WOMAN, active=False))
    choice = choose_case_manager(team, {}, Gender.WOMAN)
    assert choice.member is None and choice.preference_met is False


def test_a_roster_needs_a_da_lead() -> None:
    with pytest.raises(ValueError, match="DA lead"):
        Roster(staff=(officer("a", Gender.WOMAN),))


def test_the_packaged_files_load() -> None:
    config = load_config(CasesSettings())
    assert config.rules.policy.id == "west-kent-2024"
    assert config.rules.roster.da_leads()


def test_files_named_in_the_environment_are_used(tmp_path: Path, monkeypatch) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(
        DEFAULT_POLICY_FILE.read_text()
        .replace('id = "west-kent-2024"', 'id = "example-2026"')
        .replace("first_contact_working_days = 1", "first_contact_working_days = 3")
    )
    monkeypatch.setenv("HEARTH_CASES_POLICY_FILE", str(policy))
    monkeypatch.setenv("HEARTH_CASES_ROSTER_FILE", str(DEFAULT_ROSTER_FILE))
    config = load_config()
    assert config.rules.policy.id == "example-2026"
    assert config.rules.policy.timescales.first_contact_working_days == 3


def test_a_policy_missing_a_figure_is_refused_naming_it(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(DEFAULT_POLICY_FILE.read_text().replace("dash_working_days = 2", ""))
    with pytest.raises(ConfigurationError, match=r"timescales\.dash_working_days"):
        load_config(CasesSettings(policy_file=policy))


def test_an_unreadable_policy_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot read"):
        load_config(CasesSettings(policy_file=tmp_path / "missing.toml"))
