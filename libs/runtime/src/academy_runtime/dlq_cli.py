"""`academy dlq`: list, show, replay and purge dead letters (README, Operations: dead letters).

Every service dead-letters the same way (`academy_runtime.dlq`), so one command group serves
them all. Replay and purge are dry runs until `--execute`; each executed action is recorded on
`academy.operations.v1` with the actor and reason, and so lands in the audit log.
"""

import asyncio
import dataclasses
import getpass
import json
import os
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, TypeVar

import typer

from academy_runtime import dlq_ops
from academy_runtime.cli import EXIT_REFUSED, EXIT_USAGE, echo_json, fields_text, table_text
from academy_runtime.dlq import DeadLetter, ReadError
from academy_runtime.suggest import did_you_mean

T = TypeVar("T")

app = typer.Typer(help="Dead letters: list, show, replay, purge.", no_args_is_help=True)

BOOTSTRAP_ENV = "ACADEMY_KAFKA_BOOTSTRAP_SERVERS"


def _default_bootstrap() -> str:
    return f"127.0.0.1:{os.environ.get('ACADEMY_KAFKA_PORT', '19092')}"


Bootstrap = Annotated[
    str,
    typer.Option(
        "--bootstrap-servers",
        envvar=BOOTSTRAP_ENV,
        default_factory=_default_bootstrap,
        show_default="the local mesh's broker, 127.0.0.1:$ACADEMY_KAFKA_PORT (19092)",
        help="Kafka bootstrap servers.",
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def _run(work: Coroutine[Any, Any, T], bootstrap: str) -> T:
    try:
        return asyncio.run(work)
    except ReadError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_REFUSED) from exc
    except (OSError, ConnectionError) as exc:
        typer.echo(f"error: Kafka at {bootstrap} is not reachable: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from exc
    except Exception as exc:
        if exc.__class__.__module__.startswith("aiokafka"):
            typer.echo(f"error: Kafka at {bootstrap}: {exc!r}", err=True)
            raise typer.Exit(EXIT_USAGE) from exc
        raise


def _row(letter: DeadLetter, handled: dict[str, dlq_ops.Handled]) -> dict[str, Any]:
    done = handled.get(letter.ref)
    return {
        "ref": letter.ref,
        "failed_at": letter.failed_at,
        "error_type": letter.error_type,
        "service": letter.service,
        "handler": letter.handler,
        "event_type": letter.original_header("ce_type"),
        "handled": f"{done.action} by {done.actor} at {done.at}" if done else None,
        "error": letter.error[:80],
    }


@app.command("list")
def list_(
    bootstrap: Bootstrap,
    topic: Annotated[
        str | None, typer.Option(help="Only this topic (the original or its .dlq).")
    ] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Include dead letters already replayed or purged.")
    ] = False,
    as_json: Json = False,
) -> None:
    """Dead letters per topic: how many, oldest and newest, by error type and consumer; then
    each one waiting (its REF is what `show`, `replay --ref` and `purge --ref` take)."""
    found = _run(dlq_ops.inventory(bootstrap), bootstrap)
    letters = found.letters if all_ else found.waiting()
    if topic is not None:
        name = _known_topic(topic, found)
        letters = [letter for letter in letters if letter.topic == name]
    rows = [_row(letter, found.handled) for letter in letters]
    if as_json:
        echo_json({"topics": dlq_ops.summary(letters), "dead_letters": rows})
        return
    if not letters:
        where = f" on {topic}" if topic else ""
        more = "" if all_ else " waiting (add --all to include those already handled)"
        typer.echo(f"No dead letters{where}{more}.")
        return
    for name, facts in dlq_ops.summary(letters).items():
        typer.echo(f"{name}")
        typer.echo(fields_text(facts, indent="  "))
    typer.echo("")
    typer.echo(table_text(rows))


@app.command()
def show(
    ref: Annotated[str, typer.Argument(help="TOPIC/PARTITION/OFFSET, as `list` prints it.")],
    bootstrap: Bootstrap,
    as_json: Json = False,
) -> None:
    """One dead letter: where it came from, the error, its headers and its body."""
    found = _run(dlq_ops.inventory(bootstrap), bootstrap)
    letter = next((item for item in found.letters if item.ref == ref), None)
    if letter is None:
        typer.echo(f"error: no dead letter {ref!r}", err=True)
        _hint(did_you_mean(ref, [item.ref for item in found.letters]))
        raise typer.Exit(EXIT_USAGE)
    shown = dlq_ops.describe(letter)
    done = found.handled.get(letter.ref)
    shown["handled"] = None if done is None else dataclasses.asdict(done)
    if as_json:
        echo_json(shown)
        return
    body = shown.pop("body")
    headers = shown.pop("headers")
    typer.echo(fields_text(shown))
    typer.echo("headers:")
    typer.echo(fields_text(headers, indent="  ") if headers else "  (none)")
    typer.echo("body:")
    typer.echo(_pretty(body))


def _pretty(body: str | None) -> str:
    if body is None:
        return "  (none)"
    if body.startswith("hex:"):
        return "  " + body
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        return body


def _hint(matches: list[str]) -> None:
    if matches:
        typer.echo(f"hint: did you mean {' or '.join(matches)}?", err=True)


def _known_topic(topic: str, found: dlq_ops.Inventory) -> str:
    name = dlq_ops.dead_letter_topic(topic)
    if name not in found.topics:
        typer.echo(f"error: there is no dead-letter topic {name!r}", err=True)
        _hint(did_you_mean(name, found.topics))
        raise typer.Exit(EXIT_USAGE)
    return name


Topic = Annotated[
    str, typer.Option(help="The topic (original or .dlq) whose dead letters to act on.")
]
Partition = Annotated[int | None, typer.Option(min=0, help="Only this partition.")]
FromOffset = Annotated[int | None, typer.Option(min=0, help="Only dead-letter offsets ≥ this.")]
ToOffset = Annotated[int | None, typer.Option(min=0, help="Only dead-letter offsets ≤ this.")]
ErrorType = Annotated[str | None, typer.Option(help="Only this error type (e.g. EnvelopeError).")]
Handler = Annotated[str | None, typer.Option(help="Only those this handler dead-lettered.")]
Service = Annotated[str | None, typer.Option(help="Only those this service dead-lettered.")]
Refs = Annotated[list[str] | None, typer.Option("--ref", help="Only this one (repeatable).")]
Reason = Annotated[str, typer.Option(help="Why (recorded in the audit log).")]
Actor = Annotated[
    str | None,
    typer.Option(envvar="ACADEMY_ACTOR", help="Who is acting (default: the login name)."),
]
Execute = Annotated[
    bool, typer.Option("--execute", help="Do it (without it: a dry run that sends nothing).")
]
IncludeHandled = Annotated[
    bool, typer.Option("--include-handled", help="Also those already replayed or purged.")
]


def _acting(action: dlq_ops.Action, summary: str) -> Callable[..., None]:
    """`replay` and `purge`: the same selection options, one action each."""

    def command(
        bootstrap: Bootstrap,
        topic: Topic,
        reason: Reason,
        partition: Partition = None,
        from_offset: FromOffset = None,
        to_offset: ToOffset = None,
        error_type: ErrorType = None,
        handler: Handler = None,
        service: Service = None,
        ref: Refs = None,
        actor: Actor = None,
        include_handled: IncludeHandled = False,
        execute: Execute = False,
    ) -> None:
        selection = dlq_ops.Selection(
            topic=topic,
            partition=partition,
            from_offset=from_offset,
            to_offset=to_offset,
            error_type=error_type,
            handler=handler,
            service=service,
            refs=frozenset(ref or ()),
            include_handled=include_handled,
        )
        _act(action, bootstrap, selection, reason=reason, actor=actor, execute=execute)

    command.__doc__ = summary
    return command


app.command("replay")(
    _acting(
        "replayed",
        "Put the selected dead letters back on their original topic with exactly their "
        "original key, headers and body (once per original record). Fix the cause first.",
    )
)
app.command("purge")(
    _acting(
        "purged",
        "Mark the selected dead letters as handled without replaying them (they stay on the "
        "dead-letter topic until its retention removes them; `list` stops showing them).",
    )
)


def _act(
    action: dlq_ops.Action,
    bootstrap: str,
    selection: dlq_ops.Selection,
    *,
    reason: str,
    actor: str | None,
    execute: bool,
) -> None:
    try:
        why = dlq_ops.checked_text("--reason", reason, limit=500)
        who = dlq_ops.checked_text("--actor", actor or getpass.getuser(), limit=200)
    except dlq_ops.RefusedInput as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from exc
    found = _run(dlq_ops.inventory(bootstrap), bootstrap)
    selection = dataclasses.replace(selection, topic=_known_topic(selection.topic, found))
    chosen = found.select(selection)
    if not chosen:
        typer.echo(f"Nothing to do: no dead letter on {selection.topic} matches.", err=True)
        raise typer.Exit(EXIT_REFUSED)
    originals = len({letter.identity for letter in chosen})
    verb = "replay" if action == "replayed" else "purge"
    what = f"{len(chosen)} dead letter(s)"
    if action == "replayed":
        what += f", {originals} original record(s) back onto {chosen[0].original_topic}"
    typer.echo(table_text([_row(letter, found.handled) for letter in chosen]))
    if not execute:
        typer.echo(f"\nDry run: would {verb} {what}. Nothing was sent; add --execute to do it.")
        return
    outcomes = _run(dlq_ops.act(bootstrap, chosen, action=action, actor=who, reason=why), bootstrap)
    for outcome in outcomes:
        landed = f" -> {outcome.replayed_to}" if outcome.replayed_to else ""
        typer.echo(f"{action} {outcome.letter.ref}{landed}")
    typer.echo(f"\nDone: {what}; recorded on academy.operations.v1 as {who}.")
