"""Review: confirm or reject pending machine codings, surest first.

Why one key per decision and the queue re-read after it: reviewers work
through hundreds of proposals; ``y``/``n`` decide and move on, and reading
the queue back from the store (one query) means undo, a new auto-tag run or
an edit elsewhere can never leave a stale row on screen. Each decision is
one ``qualcode.autotag.accept``/``reject`` call, so ``ctrl+z`` takes it back.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Header, Label, Select, Static
from textual.worker import Worker, WorkerState

from qualcode.autotag import ReviewItem
from qualcode.errors import QualcodeError
from qualcode.tui.messages import DataChanged, OpenDocument
from qualcode.tui.screens.base import QScreen
from qualcode.tui.workers import own_project

LIMIT = 1000
ALL = "*"


@dataclass(frozen=True, slots=True)
class Context:
    """The turn around a pending coding, for the context pane."""

    document_id: int
    speaker: str
    text: str
    start: int
    span: tuple[int, int]


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class ReviewScreen(QScreen):
    """The pending machine codings, with the highlighted one in its turn."""

    screen_name = "review"
    BINDINGS = [
        Binding("y", "decide('accept')", "Accept", id="review.accept"),
        Binding("a", "decide('accept')", "Accept", show=False, id="review.accept_alt"),
        Binding("n", "decide('reject')", "Reject", id="review.reject"),
        Binding("r", "decide('reject')", "Reject", show=False, id="review.reject_alt"),
        Binding("u", "cycle('run')", "Next run filter", id="review.run"),
        Binding("c", "cycle('code')", "Next code filter", id="review.code"),
        Binding("t", "autotag", "Auto-tag…", id="review.autotag"),
        Binding("escape", "app.back", "Back", show=False, id="review.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.items: list[ReviewItem] = []
        self._filling = False
        self.filter_values: dict[str, list[str]] = {"run": [ALL], "code": [ALL]}
        self.applied: dict[str, str] = {"run": ALL, "code": ALL}
        self.last = ""

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="review"):
            with Horizontal(id="review-filters"):
                yield Label("Run", classes="field-label")
                yield Select([("all runs", ALL)], value=ALL, allow_blank=False, id="review-run")
                yield Label("Code", classes="field-label")
                yield Select([("all codes", ALL)], value=ALL, allow_blank=False, id="review-code")
            yield Label("", id="review-title", classes="section")
            yield DataTable(id="review-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="review-context-box"):
                yield Static("", id="review-context")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Review"
        table = self.query_one("#review-table", DataTable)
        table.add_columns("Code", "Conf.", "Method / rule", "Document", "Excerpt")
        self.reload()
        table.focus()

    # -- reading -----------------------------------------------------------------
    def _filter(self, name: str) -> str:
        value = self.query_one(f"#review-{name}", Select).value
        return str(value) if value not in (None, Select.NULL) else ALL

    def reload(self) -> None:
        from qualcode.autotag import review_queue

        project = self.project
        self._filling = True
        try:
            self._fill_filters()
        finally:
            self._filling = False
        run, code = self._filter("run"), self._filter("code")
        self.applied = {"run": run, "code": code}
        items = self.attempt(
            review_queue,
            project,
            run_id=None if run == ALL else int(run),
            code=None if code == ALL else code,
            limit=LIMIT,
        )
        self.items = items or []
        table = self.query_one("#review-table", DataTable)
        row = table.cursor_row
        table.clear()
        for it in self.items:
            conf = "—" if it.confidence is None else f"{it.confidence:.2f}"
            how = " / ".join(x for x in (it.method, it.rule) if x) or "—"
            # The leaf name keeps the excerpt on screen; the context pane shows the full path.
            table.add_row(
                clip(it.code.split(" > ")[-1], 30),
                conf,
                clip(how, 28),
                clip(it.document, 24),
                clip(it.excerpt, 80),
                key=str(it.id),
            )
        if self.items:
            table.move_cursor(row=max(0, min(row, len(self.items) - 1)))
        more = "+" if len(self.items) >= LIMIT else ""
        self.query_one("#review-title", Label).update(
            f"{len(self.items)}{more} pending machine coding{'s' if len(self.items) != 1 else ''}, most confident "
            f"first · y accept · n reject · enter open{' · last: ' + self.last if self.last else ''}"
            if self.items
            else "Nothing to review: no pending machine codings match (t runs the auto-tagger)."
        )
        self._show()

    def _fill_filters(self) -> None:
        """Runs and codes that have pending machine codings (plus the current choice)."""
        from qualcode.autotag import review_queue

        pending = self.attempt(review_queue, self.project) or []
        runs = sorted({i.run_id for i in pending if i.run_id is not None})
        codes = sorted({i.code for i in pending})
        for name, values, label in (("run", [str(r) for r in runs], "run "), ("code", codes, "")):
            select = self.query_one(f"#review-{name}", Select)
            current = self._filter(name)
            if current != ALL and current not in values:
                values.append(current)
            if self.filter_values[name] != [ALL, *values]:
                # Only when they changed: resetting options posts Select.Changed.
                self.filter_values[name] = [ALL, *values]
                select.set_options(
                    [(f"all {name}s", ALL)] + [(clip(f"{label}{v}".split(" > ")[-1], 30), v) for v in values]
                )
                select.value = current

    @property
    def current(self) -> ReviewItem | None:
        table = self.query_one("#review-table", DataTable)
        if not self.items or not (0 <= table.cursor_row < len(self.items)):
            return None
        return self.items[table.cursor_row]

    def context_of(self, item: ReviewItem) -> Context | None:
        """The turn holding ``item`` (or the span alone if it has no turn)."""
        project = self.project
        coding = self.attempt(project.codings.get, item.id)
        if coding is None:
            return None
        doc = project.documents.get(coding.document_id)
        turn = project.documents.turn_at(doc.id, coding.start)
        a, b = (turn.start, turn.end) if turn else (coding.start, coding.end)
        a, b = min(a, coding.start), max(b, coding.end)
        return Context(doc.id, turn.speaker if turn else "", doc.text[a:b], a, (coding.start, coding.end))

    def _show(self) -> None:
        pane = self.query_one("#review-context", Static)
        item = self.current
        ctx = self.context_of(item) if item else None
        if item is None or ctx is None:
            pane.update("")
            return
        out = Text()
        out.append(f"{item.code}", style="bold")
        conf = "no confidence" if item.confidence is None else f"confidence {item.confidence:.2f}"
        how = " / ".join(x for x in (item.method, item.rule) if x)
        out.append(
            f"  · {conf}{' · ' + how if how else ''}{f' · run {item.run_id}' if item.run_id else ''}\n", style="dim"
        )
        out.append(f"{item.document} · {ctx.speaker or '—'}:\n", style="bold")
        s, e = ctx.span[0] - ctx.start, ctx.span[1] - ctx.start
        out.append(ctx.text[:s])
        out.append(ctx.text[s:e], style="bold reverse")
        out.append(ctx.text[e:])
        pane.update(out)

    @on(DataTable.RowHighlighted, "#review-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show()

    @on(DataTable.RowSelected, "#review-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        item = self.current
        ctx = self.context_of(item) if item else None
        if ctx is not None:
            self.post_message(OpenDocument(ctx.document_id, select=ctx.span))

    @on(Select.Changed)
    def _filter_changed(self, event: Select.Changed) -> None:
        if not self._filling and (self._filter("run"), self._filter("code")) != (
            self.applied["run"],
            self.applied["code"],
        ):
            self.reload()

    # -- decisions -----------------------------------------------------------------
    def action_decide(self, decision: str) -> None:
        from qualcode.autotag import accept, reject

        item = self.current
        if item is None:
            self.notify("Nothing to review here.", severity="warning")
            return
        fn = accept if decision == "accept" else reject
        if self.attempt(fn, self.project, [item.id]) is None:
            return
        # The decided row leaves the queue; the cursor stays put, so it lands on the next one.
        # No notification: with hundreds of decisions it would only be noise (the count says it).
        self.last = f"{'accepted' if decision == 'accept' else 'rejected'} {item.code.split(' > ')[-1]}"
        self.post_message(DataChanged(self))
        self.reload()

    def action_cycle(self, name: str) -> None:
        select = self.query_one(f"#review-{name}", Select)
        values = self.filter_values[name]
        if len(values) > 1:
            current = self._filter(name)
            select.value = values[(values.index(current) + 1) % len(values)] if current in values else values[0]

    # -- auto-tagging ------------------------------------------------------------------
    def action_autotag(self) -> None:
        from qualcode.tui.modals.prompt import PromptModal

        def check(value: str) -> str | None:
            from qualcode.autotag import parse_methods

            try:
                parse_methods(value or "rules")
            except QualcodeError as exc:
                return exc.message
            return None

        def done(value: str | None) -> None:
            if value is not None:
                from qualcode.autotag import parse_methods

                self.notify("Auto-tagging in the background…", timeout=3)
                self._autotag(parse_methods(value or "rules"))

        self.app.push_screen(
            PromptModal("Auto-tag with which methods? (rules, model, themes or all)", "rules", validate=check), done
        )

    @work(thread=True, exclusive=True, group="autotag", name="Auto-tag", exit_on_error=False)
    def _autotag(self, methods: tuple[str, ...]) -> str:
        """Run the auto-tagger on this thread's own connection; returns the summary line."""
        from qualcode.services import autotag

        with own_project(self.project.path) as project:
            opts = autotag.options(methods=methods)
            return autotag.summary(autotag.run(project, opts), opts.unit)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "autotag" and event.state == WorkerState.SUCCESS:
            self.notify(str(event.worker.result), title="Auto-tag")
            self.post_message(DataChanged(self))
            self.reload()
