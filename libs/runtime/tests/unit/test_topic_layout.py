"""The topic declaration and the comparison the start-up check makes (no broker needed)."""

from academy_runtime.kafka import config_problems, layout_problems
from contracts import topics


def test_every_contract_topic_and_its_dead_letter_topic_is_declared_once() -> None:
    names = [spec.name for spec in topics.DECLARED]
    assert len(names) == len(set(names))
    assert set(names) == {name for t in topics.ALL for name in (t, topics.dlq(t))}


def test_dead_letters_and_what_was_done_with_them_are_kept_two_weeks() -> None:
    two_weeks = 14 * 24 * 3600 * 1000  # README, Operations: time to notice, fix and replay
    assert topics.spec(topics.dlq(topics.RELEASE)).retention_ms == two_weeks
    assert topics.spec(topics.OPERATIONS).retention_ms == two_weeks


def test_a_smaller_cluster_keeps_min_insync_replicas_below_its_replicas() -> None:
    declared = topics.spec(topics.AUDIT)
    assert (declared.replication_factor, declared.min_insync_replicas) == (3, 2)
    assert declared.sized(partitions=4, replication_factor=1).min_insync_replicas == 1
    assert declared.sized(partitions=4, replication_factor=2).min_insync_replicas == 1
    assert declared.sized(partitions=24, replication_factor=5).min_insync_replicas == 2


def test_layout_problems_name_the_topic_and_what_differs() -> None:
    wanted = [topics.spec(topics.CATALOGUE), topics.spec(topics.RELEASE), topics.spec(topics.AUDIT)]
    existing = {topics.CATALOGUE: (12, 3), topics.RELEASE: (4, 1)}

    assert layout_problems(wanted, existing) == [
        "academy.release.v1 has 4 partitions, 12 declared",
        "academy.release.v1 has replication factor 1, 3 declared",
        "academy.audit.v1 is missing",
    ]


def test_config_problems_compare_only_what_the_broker_described() -> None:
    spec = topics.spec(topics.dlq(topics.CATALOGUE))
    described = {spec.name: {"retention.ms": "604800000", "cleanup.policy": "delete"}}

    assert config_problems([spec], described) == [
        f"{spec.name} has retention.ms=604800000, {topics.DLQ_RETENTION_MS} declared"
    ]
    assert config_problems([spec], None) == []  # DescribeConfigs unanswered: not checked
