"""Themes: run a theme suggestion, browse its topics, accept, reject or merge.

Why a worker with its own connection: a run embeds and clusters every unit
of the project (seconds to minutes); it runs in a thread that opens its own
``open_project`` (SQLite connections stay in their thread) and only posts
progress and the new run id back. Every decision is one ``qualcode.themes``
call, so one undoable action; the screen re-reads the run afterwards.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Label, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from qualcode.themes import SuggestionRun, SuggestParams, TopicSuggestion
from qualcode.tui.messages import DataChanged, OpenDocument
from qualcode.tui.modals.choice import ChoiceModal
from qualcode.tui.modals.themes import AcceptChoice, AcceptModal, SuggestOptionsModal
from qualcode.tui.screens.base import QScreen
from qualcode.tui.workers import own_project

STATUS_MARK = {"open": "", "accepted": "✓ accepted", "rejected": "✗ rejected", "merged": "→ merged"}
LABEL_WIDTH = 30
CODE_WIDTH = 22


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class SuggestProgress(Message):
    """Posted by the suggestion worker: step ``done`` of ``total``."""

    def __init__(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        super().__init__()


def topic_label(t: TopicSuggestion) -> str:
    return "(outliers)" if t.topic < 0 else t.label


class ThemesScreen(QScreen):
    """Suggestions of one run on the left; keywords and excerpts on the right."""

    screen_name = "themes"
    BINDINGS = [
        Binding("s", "suggest", "Suggest…", id="themes.suggest"),
        Binding("o", "open_run", "Open run…", id="themes.open_run"),
        Binding("a", "accept", "Accept", id="themes.accept"),
        Binding("n", "accept_as", "Accept as…", id="themes.accept_as"),
        Binding("r", "reject", "Reject", id="themes.reject"),
        Binding("m", "merge", "Merge into…", id="themes.merge"),
        Binding("escape", "app.back", "Back", show=False, id="themes.back"),
    ]

    def __init__(self, run_id: int | None = None) -> None:
        super().__init__()
        self.run_id = run_id
        self.run: SuggestionRun | None = None
        self.topics: list[TopicSuggestion] = []
        self.params = SuggestParams()
        self.running = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="themes"):
            with Vertical(id="themes-left"):
                yield Label("", id="themes-title", classes="section")
                yield DataTable(id="suggestions", cursor_type="row", zebra_stripes=True)
                yield ProgressBar(id="themes-progress", show_eta=False)
            with Vertical(id="themes-right"):
                yield Static("", id="theme-detail")
                yield Label("Representative excerpts (enter: open in context)", classes="section")
                yield OptionList(id="theme-excerpts")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Themes"
        table = self.query_one("#suggestions", DataTable)
        table.add_columns("#", "Suggestion", "Size", "Partic.", "Closest code", "Sim.", "New?", "")
        self.query_one("#themes-progress", ProgressBar).display = False
        self.reload()
        table.focus()

    # -- reading -----------------------------------------------------------------
    def reload(self) -> None:
        from qualcode.themes import list_runs, load_run

        project = self.project
        title = self.query_one("#themes-title", Label)
        runs = self.attempt(list_runs, project) or []
        if self.run_id is None or all(r.id != self.run_id for r in runs):
            self.run_id = runs[-1].id if runs else None
        self.run = self.attempt(load_run, project, self.run_id) if self.run_id is not None else None
        self.topics = list(self.run.topics) if self.run else []
        if self.run is None:
            title.update("No theme suggestions yet: press s to run one.")
        else:
            p = self.run.params
            k = sum(1 for t in self.topics if t.topic >= 0)
            title.update(
                f"Run {self.run.id} · {k} topics from {self.run.units} {p.unit}s · seed {p.seed}"
                f"{' (latest)' if runs and runs[-1].id == self.run.id else ''} · {len(runs)} run(s)"
            )
        self._fill()

    def _fill(self) -> None:
        table = self.query_one("#suggestions", DataTable)
        row = table.cursor_row
        table.clear()
        for t in self.topics:
            sim = "" if t.similarity is None else f"{t.similarity:.2f}"
            # Short marks (✓ ✗ →N); the detail pane spells the status out.
            status = STATUS_MARK.get(t.status, t.status).split(" ")[0]
            if t.status == "merged" and t.merged_into is not None:
                status = f"→{t.merged_into}"
            label = Text(clip(topic_label(t), LABEL_WIDTH), style="dim" if t.status in ("rejected", "merged") else "")
            closest = clip((t.closest_code or "—").split(" > ")[-1], CODE_WIDTH)
            table.add_row(
                str(t.topic),
                label,
                str(t.size),
                f"{t.participant_share * 100:.0f}%",
                closest,
                sim,
                "new?" if t.new_theme else "",
                status,
                key=str(t.topic),
            )
        if self.topics:
            table.move_cursor(row=max(0, min(row, len(self.topics) - 1)))
        self._show(self.current)

    @property
    def current(self) -> TopicSuggestion | None:
        table = self.query_one("#suggestions", DataTable)
        if not self.topics or not (0 <= table.cursor_row < len(self.topics)):
            return None
        return self.topics[table.cursor_row]

    def _show(self, t: TopicSuggestion | None) -> None:
        detail = self.query_one("#theme-detail", Static)
        excerpts = self.query_one("#theme-excerpts", OptionList)
        excerpts.clear_options()
        if t is None:
            detail.update("")
            return
        out = Text()
        out.append(topic_label(t) + "\n", style="bold")
        out.append("Keywords: ", style="dim")
        out.append(", ".join(t.keywords) + "\n")
        out.append(
            f"{t.size} units · {t.documents} documents ({t.document_share:.0%}) · "
            f"{t.participants} participants ({t.participant_share:.0%})\n",
            style="dim",
        )
        if t.closest_code:
            out.append(
                f"Closest code: {t.closest_code} ({t.similarity or 0:.2f})"
                f"{' — possibly a new theme' if t.new_theme else ''}\n",
                style="dim",
            )
        if t.merge_candidates:
            out.append(f"Merge candidates: {', '.join(map(str, t.merge_candidates))}\n", style="dim")
        if t.status == "accepted" and t.code_id is not None:
            code = self.attempt(self.project.codes.get, t.code_id)
            out.append(f"Accepted as {code.path if code else t.code_id}\n", style="green")
        elif t.status == "merged":
            out.append(f"Merged into topic {t.merged_into}\n", style="yellow")
        elif t.status != "open":
            out.append(STATUS_MARK.get(t.status, t.status) + "\n", style="yellow")
        detail.update(out)
        for e in t.excerpts:
            line = Text()
            line.append(f"{e.document} · {e.speaker or '—'} ", style="bold #5fafd7")
            line.append(f"({e.similarity:.2f})\n", style="dim")
            line.append(" ".join(e.text.split()) + "\n")
            excerpts.add_option(Option(line))

    @on(DataTable.RowHighlighted, "#suggestions")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show(self.current)

    @on(DataTable.RowSelected, "#suggestions")
    def _to_excerpts(self, event: DataTable.RowSelected) -> None:
        excerpts = self.query_one("#theme-excerpts", OptionList)
        if excerpts.option_count:
            excerpts.highlighted = 0
            excerpts.focus()

    @on(OptionList.OptionSelected, "#theme-excerpts")
    def _open_excerpt(self, event: OptionList.OptionSelected) -> None:
        t = self.current
        if t is not None and 0 <= event.option_index < len(t.excerpts):
            e = t.excerpts[event.option_index]
            self.post_message(OpenDocument(e.document_id, select=(e.start, e.end)))

    # -- a new run -------------------------------------------------------------------
    def action_suggest(self) -> None:
        if self.running:
            self.notify("A suggestion run is already in progress.", severity="warning")
            return

        def done(params: SuggestParams | None) -> None:
            if params is not None:
                self.params = params
                self.start_run(params)

        self.app.push_screen(SuggestOptionsModal(self.params), done)

    def start_run(self, params: SuggestParams) -> None:
        """Show the progress bar and start the worker."""
        self.running = True
        bar = self.query_one("#themes-progress", ProgressBar)
        bar.display = True
        bar.update(total=5, progress=0)
        self._suggest(params)

    @work(thread=True, exclusive=True, group="themes", name="Theme suggestion", exit_on_error=False)
    def _suggest(self, params: SuggestParams) -> int:
        """Run ``suggest`` on a connection of this thread; returns the new run's id."""
        from qualcode.themes import suggest

        with own_project(self.project.path) as project:
            return suggest(project, params, on_progress=lambda d, t: self.post_message(SuggestProgress(d, t))).id

    def on_suggest_progress(self, message: SuggestProgress) -> None:
        self.query_one("#themes-progress", ProgressBar).update(total=message.total, progress=message.done)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "themes" or not event.worker.is_finished:
            return
        self.running = False
        self.query_one("#themes-progress", ProgressBar).display = False
        if event.state != WorkerState.SUCCESS:
            return
        self.run_id = event.worker.result
        self.post_message(DataChanged(self))
        self.reload()
        k = sum(1 for t in self.topics if t.topic >= 0)
        self.notify(f"Run {self.run_id}: {k} suggested themes", title="Theme suggestion")
        self.query_one("#suggestions", DataTable).focus()

    def action_open_run(self) -> None:
        from qualcode.themes import list_runs

        runs = self.attempt(list_runs, self.project) or []
        if not runs:
            self.notify("No runs yet: press s to run one.")
            return
        choices = []
        for r in reversed(runs):
            s = r.summary
            choices.append(
                (
                    f"run {r.id} · {s.get('topics', '?')} topics · {s.get('units', '?')} "
                    f"{r.params.get('unit', 'unit')}s · seed {r.params.get('seed', 0)} · {r.created_at or ''}",
                    r.id,
                )
            )
        current = next((i for i, (_, rid) in enumerate(choices) if rid == self.run_id), 0)

        def done(run_id: int | None) -> None:
            if run_id is not None:
                self.run_id = run_id
                self.reload()

        self.app.push_screen(ChoiceModal("Open a theme-suggestion run", choices, highlight=current), done)

    # -- decisions ---------------------------------------------------------------------
    def _open_topic(self) -> TopicSuggestion | None:
        t = self.current
        if self.run is None or t is None:
            self.notify("No suggestion selected.", severity="warning")
            return None
        if t.topic < 0:
            self.notify("Outliers cannot be accepted, rejected or merged.", severity="warning")
            return None
        return t

    def action_accept(self, name: str | None = None) -> None:
        t = self._open_topic()
        if t is None:
            return
        run_id = self.run.id  # type: ignore[union-attr]

        def done(choice: AcceptChoice | None) -> None:
            if choice is None:
                return
            from qualcode.themes import accept

            result = self.attempt(
                accept,
                self.project,
                run_id,
                t.topic,
                choice.name,
                parent=choice.parent,
                apply=choice.apply,
                coder=self.qapp.coder,
            )
            if result is None:
                return
            applied = f", {len(result.coding_ids)} codings pending review" if choice.apply else ""
            self.notify(f"Accepted topic {t.topic} as {result.code.path}{applied}")
            self._changed()

        self.app.push_screen(AcceptModal(topic_label(t), t.size, name=t.label if name is None else name), done)

    def action_accept_as(self) -> None:
        self.action_accept(name="")

    def action_reject(self) -> None:
        from qualcode.themes import reject

        t = self._open_topic()
        if t is None:
            return
        if self.attempt(reject, self.project, self.run.id, t.topic) is not None:  # type: ignore[union-attr]
            self.notify(f"Rejected topic {t.topic}")
            self._changed(step=1)

    def action_merge(self) -> None:
        t = self._open_topic()
        if t is None:
            return
        run_id = self.run.id  # type: ignore[union-attr]
        others = [o for o in self.topics if o.topic >= 0 and o.topic != t.topic and o.status == "open"]
        if not others:
            self.notify("No other open suggestion to merge into.", severity="warning")
            return
        others.sort(key=lambda o: (o.topic not in t.merge_candidates, o.topic))
        choices = [
            (
                f"{o.topic}: {o.label} ({o.size}){'  · merge candidate' if o.topic in t.merge_candidates else ''}",
                o.topic,
            )
            for o in others
        ]

        def done(target: int | None) -> None:
            from qualcode.themes import merge

            if target is None:
                return
            merged = self.attempt(merge, self.project, run_id, target, [t.topic])
            if merged is not None:
                self.notify(f"Merged topic {t.topic} into {target}: {merged.label}")
                self._changed(select=target)

        self.app.push_screen(ChoiceModal(f"Merge topic {t.topic} into…", choices), done)

    def _changed(self, *, step: int = 0, select: int | None = None) -> None:
        table = self.query_one("#suggestions", DataTable)
        row = table.cursor_row
        self.post_message(DataChanged(self))
        self.reload()
        if select is not None:
            row = next((i for i, o in enumerate(self.topics) if o.topic == select), row)
        elif step:
            row += step
        if self.topics:
            table.move_cursor(row=max(0, min(row, len(self.topics) - 1)))


__all__ = ["SuggestProgress", "ThemesScreen"]
