"""The evaluation command on a tiny labelled fixture."""

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from matching.evaluation import _metrics, evaluate

DATA = Path(__file__).parent / "data"


def test_command_prints_the_table_and_ends_with_one_json_line(capsys):
    call_command("evaluate_matching", str(DATA / "eval_tiny.json"), "--no-dense")
    lines = capsys.readouterr().out.strip().splitlines()
    figures = json.loads(lines[-1])
    assert figures["queries"] == 3 and figures["corpus"] == 4
    assert figures["dense"] is None
    assert figures["bm25"]["recall@1"] == pytest.approx(figures["bm25"]["mrr"]) or figures["bm25"]["mrr"] > 0
    assert set(figures["hybrid"]) == {"recall@1", "recall@5", "recall@10", "mrr"}
    assert any(line.startswith("bm25") for line in lines) and any("switched off" in line for line in lines)


def test_bm25_finds_the_purification_capability_thanks_to_the_synonym():
    data = json.loads((DATA / "eval_tiny.json").read_text(encoding="utf-8"))
    with_synonym = evaluate(data, dense=False)
    data["synonyms"] = {}
    without = evaluate(data, dense=False)
    assert with_synonym["bm25"]["mrr"] >= without["bm25"]["mrr"]
    assert with_synonym["bm25"]["recall@5"] == 1.0


def test_metrics_are_computed_from_ranks():
    figures = _metrics([["a", "b"], ["c", "d"], ["x", "y"]], [{"b"}, {"c"}, {"z"}])
    assert figures["recall@1"] == pytest.approx(1 / 3, abs=1e-4)
    assert figures["recall@5"] == pytest.approx(2 / 3, abs=1e-4)
    assert figures["mrr"] == pytest.approx((1 / 2 + 1) / 3, abs=1e-4)


def test_a_bad_file_is_refused(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"corpus": []}', encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("evaluate_matching", str(bad), "--no-dense")
    with pytest.raises(CommandError):
        call_command("evaluate_matching", str(tmp_path / "missing.json"), "--no-dense")


def test_the_labelled_set_has_at_least_sixty_pairs_from_both_industries():
    data = json.loads((DATA / "eval_pairs.json").read_text(encoding="utf-8"))
    ids = {d["id"] for d in data["corpus"]}
    assert len(data["queries"]) >= 60
    assert all(set(q["relevant"]) <= ids for q in data["queries"])
    prefixes = {q["relevant"][0].split("-")[0] for q in data["queries"]}
    assert prefixes == {"lh", "de"}


@pytest.mark.django_db
def test_accepted_suggestions_become_an_evaluation_set(area, enterprise_user, tmp_path, capsys):
    from matching import services
    from matching.models import Posting

    need = Posting.objects.select_related("link", "enterprise", "institution").get(pk=area.need.pk)
    suggestions = services.suggestions_refresh(posting=need)
    services.suggestion_decide(actor=enterprise_user, suggestion=suggestions[0], accept=True)
    if len(suggestions) > 1:
        services.suggestion_decide(actor=enterprise_user, suggestion=suggestions[1], accept=False)
    out = tmp_path / "feedback.json"
    call_command("export_matching_feedback", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["queries"] == [{"text": need.index_text(), "kind": "need", "relevant": [str(suggestions[0].target_id)]}]
    call_command("evaluate_matching", str(out), "--no-dense")
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["queries"] == 1 and figures["bm25"]["recall@10"] == 1.0
