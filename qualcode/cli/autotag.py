"""``qualcode autotag``: batch auto-tagging, its evaluation, and undoing a run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from qualcode.cli._common import JsonOpt, ProjectOpt, open_for_command, print_json, progress, user_errors

autotag_app = typer.Typer(
    help="Propose codings by keyword rules, a model trained on your codings, or accepted themes.",
    invoke_without_command=True,
    no_args_is_help=False,
)

MethodOpt = Annotated[
    Optional[list[str]],
    typer.Option("--method", "-m", help="rules, model, themes or all (repeatable; default rules)."),
]


@autotag_app.callback()
def run_autotag(
    ctx: typer.Context,
    method: MethodOpt = None,
    codes: Annotated[
        Optional[list[str]], typer.Option("--codes", "--code", help="Only this code (path or name; repeatable).")
    ] = None,
    documents: Annotated[
        Optional[list[str]], typer.Option("--documents", "--document", help="Only this document (repeatable).")
    ] = None,
    unit: Annotated[Optional[str], typer.Option("--unit", help="turn or sentence (default turn).")] = None,
    threshold: Annotated[
        Optional[float], typer.Option("--threshold", help="Fixed model threshold 0-1 instead of tuned per-code ones.")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Write nothing; print what would be added.")] = False,
    spec: Annotated[
        Optional[Path], typer.Option("--spec", help="YAML file pinning methods, codes, thresholds, seed, unit.")
    ] = None,
    seed: Annotated[Optional[int], typer.Option("--seed", help="Random seed (model CV folds).")] = None,
    min_examples: Annotated[
        Optional[int],
        typer.Option("--min-examples", help="Model: examples a code needs for its own threshold (default 5)."),
    ] = None,
    model: Annotated[
        Optional[str],
        typer.Option("--model", help="hierarchy (default) or previous (the one-vs-rest model, for comparison)."),
    ] = None,
    batch_size: Annotated[
        Optional[int], typer.Option("--batch-size", help="Codings per transaction (default 5000).")
    ] = None,
    include_interviewer: Annotated[
        bool, typer.Option("--include-interviewer", help="Also tag interviewer turns.")
    ] = False,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Auto-tag units; codings are written pending, with method, rule/model id, confidence and run id."""
    if ctx.invoked_subcommand is not None:
        return
    from qualcode.services import autotag as autotag_service

    with user_errors():
        opts = autotag_service.options(
            spec=spec,
            methods=method,
            codes=codes or (),
            documents=documents or (),
            include_interviewer=include_interviewer,
            dry_run=dry_run,
            unit=unit,
            threshold=threshold,
            seed=seed,
            min_examples=min_examples,
            batch_size=batch_size,
            model=model,
        )
    with open_for_command(project) as proj, user_errors():
        with progress(100, "auto-tagging") as bar:  # the callback sets the real total
            result = autotag_service.run(proj, opts, on_progress=bar)
        if as_json:
            print_json(result.to_json())
            return
        typer.echo(autotag_service.summary(result, opts.unit))
        if result.model_id:
            typer.echo(f"model {result.model_id}")
        if result.skipped_codes:
            what = (
                "too rare for the model"
                if opts.model == "previous"
                else "with too few examples for a threshold of their own (proposed from their definition only)"
            )
            typer.echo(
                f"{len(result.skipped_codes)} codes {what}: "
                + ", ".join(f"{k} ({v})" for k, v in result.skipped_codes.items())
            )
        if result.dry_run:
            for c in result.codings[:50]:
                typer.echo(f"  + {c.code} on {c.document} {c.start}-{c.end} [{c.method} {c.rule} {c.confidence:.2f}]")
            if len(result.codings) > 50:
                typer.echo(f"  … and {len(result.codings) - 50} more (use --json for all)")


@autotag_app.command("evaluate")
def evaluate_cmd(
    folds: Annotated[
        int, typer.Option("--folds", "-k", help="Cross-validation folds (by document where possible).")
    ] = 5,
    unit: Annotated[str, typer.Option("--unit", help="turn or sentence.")] = "turn",
    method: Annotated[str, typer.Option("--method", "-m", help="model, previous, rules or all.")] = "model",
    seed: Annotated[int, typer.Option("--seed", help="Random seed for the folds (or document orders).")] = 0,
    min_examples: Annotated[
        int, typer.Option("--min-examples", help="Evaluate codes with at least this many coded units.")
    ] = 5,
    by_document: Annotated[
        bool,
        typer.Option("--by-document", help="Learning curve: train on the first k coded documents, test on the rest."),
    ] = False,
    repeats: Annotated[int, typer.Option("--repeats", help="--by-document: random document orders averaged.")] = 3,
    max_k: Annotated[
        Optional[int], typer.Option("--max-k", help="--by-document: stop at this many training documents.")
    ] = None,
    documents: Annotated[
        Optional[list[str]],
        typer.Option("--document", "--documents", help="--by-document: only these coded documents (repeatable)."),
    ] = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Score auto-tagging against the human codings: K-fold CV, or a learning curve by document."""
    if by_document:
        _learning_curve(project, unit, seed, repeats, max_k, documents, as_json)
        return
    from qualcode.autotag import evaluate

    with open_for_command(project) as proj, user_errors():
        with progress(folds, "evaluating") as bar:
            ev = evaluate(
                proj, folds=folds, unit=unit, method=method, seed=seed, min_examples=min_examples, on_progress=bar
            )
        if as_json:
            print_json(ev.to_json())
            return
        how = "grouped by document" if ev.grouped else "over units"
        typer.echo(f"{ev.method}: {ev.folds}-fold CV {how}, {ev.units} {unit}s, {len(ev.scores.codes)} codes")
        typer.echo(f"{'':<12}{'micro F1':>10}{'macro F1':>10}{'kappa':>8}")
        for name, s in [(ev.method, ev.scores), *ev.baselines.items()]:
            typer.echo(f"{name:<12}{s.micro_f1:>10.3f}{s.macro_f1:>10.3f}{s.kappa:>8.3f}")
        typer.echo("")
        typer.echo(f"{'code':<40}{'P':>7}{'R':>7}{'F1':>7}{'n':>6}")
        for c in ev.scores.codes:
            typer.echo(f"{c.code[:39]:<40}{c.precision:>7.2f}{c.recall:>7.2f}{c.f1:>7.2f}{c.support:>6}")
        if ev.skipped_codes:
            typer.echo(f"skipped {len(ev.skipped_codes)} codes with fewer than {min_examples} coded {unit}s")
        _echo_reliability(ev.reliability)


def _learning_curve(
    project: Optional[Path],
    unit: str,
    seed: int,
    repeats: int,
    max_k: Optional[int],
    documents: Optional[list[str]],
    as_json: bool,
) -> None:
    """``evaluate --by-document``: the learning curve as tables or JSON."""
    from qualcode.autotag.curve import CURVE_METHODS, LEVELS, learning_curve

    with open_for_command(project) as proj, user_errors():
        with progress(100, "learning curve") as bar:
            curve = learning_curve(
                proj, unit=unit, seed=seed, repeats=repeats, max_k=max_k, documents=documents, on_progress=bar
            )
        if as_json:
            print_json(curve.to_json())
            return
        typer.echo(
            f"learning curve: {curve.documents} coded documents, {curve.units} {unit}s, "
            f"{curve.repeats} random orders (seed {curve.seed}); cells: micro F1 / macro F1 (kappa)"
        )
        for level in LEVELS:
            typer.echo(f"\n{'top theme' if level == 'theme' else unit + ' (every code)'}")
            typer.echo(f"{'k':>3}  " + "".join(f"{m:>22}" for m in CURVE_METHODS))
            for k in sorted({p.k for p in curve.points}):
                cells = []
                for m in CURVE_METHODS:
                    p = curve.point(k, level, m)
                    cells.append(f"{p.micro_f1:.3f}/{p.macro_f1:.3f} ({p.kappa:.2f})" if p else "-")
                typer.echo(f"{k:>3}  " + "".join(f"{c:>22}" for c in cells))
        _echo_reliability(curve.reliability)


def _echo_reliability(bins: list) -> None:
    """The model's reliability curve: stated confidence against how often the human agreed."""
    if not bins:
        return
    from qualcode.autotag.calibration import expected_calibration_error

    typer.echo(f"\nreliability of the model's confidence (ECE {expected_calibration_error(bins):.3f})")
    typer.echo(f"{'confidence':<12}{'units':>8}{'mean':>8}{'observed':>10}")
    for b in bins:
        typer.echo(f"{b.lower:.1f}-{b.upper:.1f}{'':<5}{b.n:>8}{b.mean_confidence:>8.2f}{b.observed:>10.2f}")


@autotag_app.command("undo")
def undo_cmd(
    run: Annotated[int, typer.Argument(help="Run id (see 'qualcode review' or the run list).")],
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Remove every coding an auto-tagging run wrote (one undoable action)."""
    from qualcode.autotag import undo_run

    with open_for_command(project) as proj, user_errors():
        n = undo_run(proj, run)
        if as_json:
            print_json({"run": run, "removed": n})
        else:
            typer.echo(f"run {run}: removed {n} codings")


def register(app: typer.Typer) -> None:
    """Add the ``autotag`` group to the application."""
    app.add_typer(autotag_app, name="autotag")
