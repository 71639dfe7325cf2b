"""Did you mean: close ids are offered for a typo, strangers are not."""

from academy_runtime.suggest import did_you_mean, not_found

KNOWN = ["demo-operator", "kestrel-bet", "bluewave-casino", "northstar-gaming"]


def test_a_typo_is_answered_with_the_id_it_was_meant_to_be() -> None:
    assert did_you_mean("demo-operatr", KNOWN) == ["demo-operator"]
    assert did_you_mean("kestrelbet", KNOWN) == ["kestrel-bet"]


def test_an_id_like_none_of_the_known_ones_gets_no_suggestion() -> None:
    assert did_you_mean("op-123", KNOWN) == []
    assert did_you_mean("demo-operatr", []) == []


def test_suggestions_are_few_and_best_first() -> None:
    known = [f"op-{n}" for n in range(100, 120)]

    assert len(did_you_mean("op-1100", known)) == 3
    assert did_you_mean("demo-operatr", ["demo-operator-eu", "demo-operator"]) == [
        "demo-operator",
        "demo-operator-eu",
    ]


def test_the_not_found_body_names_the_suggestion_in_its_detail() -> None:
    body = not_found("operator", "demo-operatr", ["demo-operator"], hint="ignored when close")

    assert body == {
        "error": "not_found",
        "reason": "unknown_operator",
        "detail": "no operator 'demo-operatr'; did you mean 'demo-operator'?",
        "did_you_mean": ["demo-operator"],
    }


def test_the_not_found_body_says_what_to_do_when_nothing_is_close() -> None:
    body = not_found("operator", "op-x", [], hint="set its go-live jurisdictions first")

    assert body["detail"] == "no operator 'op-x'; set its go-live jurisdictions first"
    assert body["did_you_mean"] == []
