"""Command-palette provider: every key binding in reach, by its description.

Why: the palette (ctrl+p) must reach every action, including ones a coder
has not memorised a key for. Rather than keep a second list that drifts, the
provider offers the bindings active on the current screen (focused widget,
screen and app) plus the app's system commands (set coder, import, screens).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class QualcodeCommands(Provider):
    """Offers the active bindings of the screen the palette was opened on."""

    def _commands(self) -> Iterator[tuple[str, str, object, str]]:
        seen: set[str] = set()
        try:
            active = self.screen.active_bindings
        except Exception:  # noqa: BLE001 - a screen without bindings
            return
        for key, item in active.items():
            binding = item.binding
            title = binding.description
            if not title or title in seen or binding.action in ("command_palette", "quit"):
                continue
            seen.add(title)
            yield title, f"key: {binding.key_display or key}", item.node, binding.action

    async def _run(self, node: object, action: str) -> None:
        await self.app.run_action(action, node)  # type: ignore[arg-type]

    async def discover(self) -> Hits:
        for title, help_text, node, action in self._commands():
            yield DiscoveryHit(title, partial(self._run, node, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, node, action in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self._run, node, action), help=help_text)
