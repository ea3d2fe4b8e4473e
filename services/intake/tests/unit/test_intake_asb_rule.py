"""The ASB signal rule and the policy file it reads its categories from."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from hearth.contracts.events.intake import EnquiryTrigger
from hearth.intake.domain.asb import AsbReport, enquiry_for_asb_report, is_da_signal
from hearth.intake.domain.policy import PolicyError
from hearth.intake.settings import DEFAULT_POLICY_FILE, load_policy

NOW = datetime(2025, 3, 5, 23, 40, tzinfo=UTC)
POLICY = load_policy(DEFAULT_POLICY_FILE)


@pytest.mark.parametrize(
    "category",
    [
        "shouting_and_arguing",
        "domestic_noise",
        "banging_or_crashing",
        "screaming_or_crying",
        "door_slamming_late_at_night",
        "damage_from_inside",
        "police_called_to_home",
    ],
)
def test_shouting_arguing_and_similar_categories_signal_domestic_abuse(category: str) -> None:
    assert is_da_signal(category, POLICY)


@pytest.mark.parametrize("category", ["fly_tipping", "dog_fouling", "graffiti", "parking"])
def test_other_asb_categories_do_not(category: str) -> None:
    assert not is_da_signal(category, POLICY)


def test_a_signal_category_raises_an_enquiry_with_the_asb_details() -> None:
    enquiry_id = uuid.uuid4()
    report = AsbReport(
        category="shouting_and_arguing",
        asb_case_reference="ASB-2025-0042",
        tenancy_reference="T-000123",
        indicators="Shouting and a child crying most nights.",
    )
    enquiry = enquiry_for_asb_report(report, enquiry_id=enquiry_id, now=NOW, policy=POLICY)
    assert enquiry is not None
    assert enquiry.enquiry_id == enquiry_id
    assert enquiry.raised_at == NOW
    assert enquiry.trigger is EnquiryTrigger.ASB_REPORT
    assert enquiry.asb_category == "shouting_and_arguing"
    assert enquiry.asb_case_reference == "ASB-2025-0042"
    assert enquiry.tenancy_reference == "T-000123"
    assert enquiry.indicators == "Shouting and a child crying most nights."


def test_another_category_raises_nothing() -> None:
    report = AsbReport(category="graffiti", asb_case_reference="ASB-1")
    assert enquiry_for_asb_report(report, enquiry_id=uuid.uuid4(), now=NOW, policy=POLICY) is None


def test_an_asb_report_needs_a_category_code_and_a_reference() -> None:
    with pytest.raises(ValidationError) as caught:
        AsbReport.model_validate({"category": "Shouting and arguing!"})
    assert {e["loc"][0] for e in caught.value.errors()} == {"category", "asb_case_reference"}


def test_the_shipped_policy_is_west_kents_with_a_12_month_repeat_window() -> None:
    assert POLICY.name == "west-kent-2024"
    assert POLICY.repeat_window_months == 12
    assert "shouting_and_arguing" in POLICY.asb_da_signal_categories
    assert POLICY.enquiry_years_unfollowed == 6


def test_a_landlord_policy_file_changes_the_categories_and_the_window(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(
        'name = "another-landlord"\n[repeats]\nwindow_months = 6\n'
        '[asb]\nda_signal_categories = ["noise_nuisance"]\n'
        "[retention]\nenquiry_years_unfollowed = 3\n"
    )
    policy = load_policy(path)
    assert policy.repeat_window_months == 6
    assert policy.enquiry_years_unfollowed == 3
    assert is_da_signal("noise_nuisance", policy)
    assert not is_da_signal("shouting_and_arguing", policy)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "name"),
        ('name = "x"', r"\[repeats\]"),
        ('name = "x"\n[repeats]\nwindow_months = 0\n[asb]', "window_months"),
        ('name = "x"\n[repeats]\nwindow_months = true\n[asb]', "window_months"),
        ('name = "x"\n[repeats]\nwindow_months = 12\n[asb]', "da_signal_categories"),
        (
            'name = "x"\n[repeats]\nwindow_months = 12\n[asb]\nda_signal_categories = ["A b"]',
            "lowercase code",
        ),
        (
            'name = "x"\n[repeats]\nwindow_months = 12\n[asb]\nda_signal_categories = ["a"]',
            r"\[retention\]",
        ),
        (
            'name = "x"\n[repeats]\nwindow_months = 12\n[asb]\nda_signal_categories = ["a"]\n'
            "[retention]\nenquiry_years_unfollowed = 0",
            "enquiry_years_unfollowed",
        ),
        (
            'name = "x"\n[repeats]\nwindow_months = 12\n[asb]\nda_signal_categories = ["a"]\n'
            "[retention]\nenquiry_years_unfollowed = 101",
            "enquiry_years_unfollowed",
        ),
    ],
)
def test_a_policy_that_makes_no_sense_is_refused(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(text)
    with pytest.raises(PolicyError, match=problem):
        load_policy(path)


def test_the_refusal_names_every_setting_in_the_files_own_terms(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text('name = "x"\nsurplus = 1\n[repeats]\nwindow_months = 121\n')
    with pytest.raises(PolicyError) as refused:
        load_policy(path)
    message = str(refused.value)
    assert "repeats.window_months" in message
    assert "[asb]" in message
    assert "surplus" in message
    assert "121" not in message


def test_a_policy_file_that_cannot_be_read_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read"):
        load_policy(tmp_path / "missing.toml")
