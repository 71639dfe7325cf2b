"""Logs an SRE can read: one JSON object per line from every library, repeats rate-limited."""

import io
import json
import logging
from collections.abc import Iterator

import pytest

from academy_runtime import logs


@pytest.fixture
def configured() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    stream = io.StringIO()
    # FastStream's own logger, as importing FastStream leaves it: a colour handler, no propagation.
    from faststream._internal.logger import logging as faststream_logging  # noqa: F401

    logs.configure("probe", stream=stream)
    yield stream
    root.handlers[:], _ = saved
    root.setLevel(saved[1])


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_library_lines_are_json_without_colour_codes(configured: io.StringIO) -> None:
    logging.getLogger("faststream").warning("`Consume` waiting for messages")
    logging.getLogger("faststream.probe").error("consumer crashed")
    logging.getLogger("aiokafka.conn").error("Unable connect to node with id 1")
    logging.getLogger("uvicorn.error").warning(
        "worker timeout", extra={"color_message": "worker \x1b[36mtimeout\x1b[0m"}
    )  # uvicorn adds a coloured copy of its message
    text = configured.getvalue()
    assert "\x1b[" not in text
    lines = _lines(configured)
    assert [(line["logger"], line["level"]) for line in lines] == [
        ("faststream", "warning"),
        ("faststream.probe", "error"),
        ("aiokafka.conn", "error"),
        ("uvicorn.error", "warning"),
    ]
    assert all(line["service"] == "probe" for line in lines)


def test_a_repeated_error_is_written_once_per_interval_with_the_count_left_out() -> None:
    now = [0.0]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter("probe"))
    handler.addFilter(logs.Repeats(interval_s=30.0, clock=lambda: now[0]))
    logger = logging.getLogger("academy.test-repeats")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        for node in range(500):  # a broker outage: the same error, 20 times a second
            logger.error("Unable connect to node with id %s", node % 3)
            now[0] += 0.05
        logger.warning("Unable to update metadata")  # another message is its own line
        now[0] += 10  # the interval has passed
        logger.error("Unable connect to node with id %s", 1)
        logger.info("connected")  # below warning: never limited
        logger.info("connected")
    finally:
        logger.removeHandler(handler)
    lines = _lines(stream)
    assert [line["msg"] for line in lines] == [
        "Unable connect to node with id 0",
        "Unable to update metadata",
        "Unable connect to node with id 1",
        "connected",
        "connected",
    ]
    assert "repeated" not in lines[0]
    assert lines[2]["repeated"] == 499  # how many were left out since the last line
