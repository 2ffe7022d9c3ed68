"""Headless Chromium from the system's packages, driven by Playwright: what the browser
tests share, and the command that makes the README's screenshot of a page:

    python tests/browser.py PAGE.html PICTURE.png [ITEM]    # ITEM chosen first, say C3
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

#: Debian's chromium (`apt-get install chromium`; .ci/run installs it when missing).
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: Flags for a closed network: no background connections, no component updates.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync"]  # fmt: skip


@contextmanager
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Watched:
    """A page with everything it did recorded: console errors, page errors, dialogs (a
    script that ran), and every request it made."""

    def __init__(self, chromium: Any, path: Path, width: int = 1400) -> None:
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.page = chromium.new_page(viewport={"width": width, "height": 1000})
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.resolve().as_uri())

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


def screenshot(page: Path, picture: Path, item: str | None = None) -> None:
    """A picture of the top of `page`, with `item` chosen (its spans marked)."""
    with browser() as chromium:
        watched = Watched(chromium, page, width=1300)
        if item:
            watched.page.locator(f'[data-key="{item}"].item, .chip[data-item="{item}"]').click()
            watched.page.evaluate("window.scrollTo(0, 0)")
        watched.page.screenshot(path=str(picture))


if __name__ == "__main__":
    screenshot(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else None)
