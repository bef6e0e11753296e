"""The shipped YAML cases pass through `manage.py test_policies`, and a wrong expectation makes it fail."""

from pathlib import Path

import pytest
from django.core.management import call_command

CASES = Path(__file__).resolve().parent.parent / "policy_cases"


def test_shipped_policy_cases_pass_through_both_evaluators(policies, capsys):
    call_command("test_policies", str(CASES))
    out = capsys.readouterr().out
    assert "0 个失败" in out
    assert "✗" not in out


def test_wrong_expectation_fails_with_nonzero_exit(policies, tmp_path, capsys):
    case = tmp_path / "wrong.yaml"
    case.write_text(
        "policy: rent_subsidy\nperiod: 2026-01\nrecords:\n  - {housing_status: renting, education: master, months_in_area: 2}\n"
        'expected:\n  - {record: 0, amount: "999.00"}\n',
        encoding="utf-8",
    )
    with pytest.raises(SystemExit) as exit_info:
        call_command("test_policies", str(case))
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert "期望 999.00" in out


def test_library_option_runs_on_an_empty_database(db, capsys):
    call_command("test_policies", "--library", str(CASES / "rent_subsidy.yaml"))
    assert "0 个失败" in capsys.readouterr().out
