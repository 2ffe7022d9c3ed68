"""The editor's HTML page, in a real browser (Debian's Chromium through Playwright): every
found span highlighted, items chosen by click and keyboard, problems shown, hostile text
inert, no request to anywhere; `summarizer render`; a batch's pages and index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from browser import Watched
from conftest import EVAL, EXAMPLES, run_summarizer
from fakeserver import FakeOpenAI, ok, reference_inputs, reference_name
from test_hostile import ARTICLE as HOSTILE_ARTICLE
from test_hostile import HOSTILE, hostile_extraction

from summarizer.contract.models import SummaryDocument
from summarizer.reports.html import document_html
from summarizer.story_evaluation import document as story_document


def document(text: str, extraction: dict) -> SummaryDocument:
    return story_document("a", None, text, extraction)


def found_spans(doc: SummaryDocument) -> dict[str, int]:
    return {k: sum(len(s) == 2 for s in r.spans) for k, r in doc.grounding.items.items()}


def page_of(tmp_path: Path, doc: SummaryDocument, text: str, name: str = "page.html") -> Path:
    path = tmp_path / name
    path.write_text(document_html(doc, text), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["aleppo-offensive-1", "aleppo-offensive-2"])
def test_the_page_highlights_exactly_the_reports_spans(chromium, tmp_path, name):
    page = tmp_path / f"{name}.html"
    done = run_summarizer("summary", f"examples/{name}.txt", "--replay", "cassettes",
                          "--format", "html", "-o", str(page))  # fmt: skip
    assert done.returncode == 0, done.stderr
    doc_run = run_summarizer("summary", f"examples/{name}.txt", "--replay", "cassettes")
    doc = SummaryDocument.model_validate_json(doc_run.stdout)
    text = (EXAMPLES / f"{name}.txt").read_text(encoding="utf-8")
    watched = Watched(chromium, page)
    markers = watched.page.locator(".article .start")
    assert markers.count() == sum(found_spans(doc).values()) > 40
    marked = "".join(watched.page.locator(".article mark").all_inner_texts())
    spans = [s for r in doc.grounding.items.values() for s in r.spans if len(s) == 2]
    assert all(text[a:b].strip()[:20] in marked for a, b in spans)  # the article's own words
    assert watched.page.locator(".article").inner_text().replace("✓", "").replace("~", "") \
        .replace("✗", "").split() == text.split()  # the whole text, nothing else  # fmt: skip
    item = watched.page.locator("li.item").nth(2)
    key = item.get_attribute("data-key")
    item.click()
    selected = watched.page.locator(".start.selected")
    assert item.get_attribute("aria-pressed") == "true"
    assert selected.count() == found_spans(doc)[key] >= 1
    assert all(s.get_attribute("data-key") == key for s in selected.all())
    other = watched.page.locator("li.item").nth(5)
    other.focus()
    watched.page.keyboard.press("Enter")
    assert other.get_attribute("aria-pressed") == "true"
    assert item.get_attribute("aria-pressed") == "false"
    watched.page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=False)
    assert (tmp_path / f"{name}.png").stat().st_size > 10_000
    assert watched.errors == [] and watched.dialogs == []
    assert watched.requests == [page.resolve().as_uri()]  # the page itself, nothing else


@pytest.mark.parametrize("name", ["aleppo-offensive-1", "aleppo-offensive-2"])
def test_the_faulty_copies_show_their_problems_at_the_item_and_the_span(chromium, tmp_path, name):
    text = (EXAMPLES / f"{name}.txt").read_text(encoding="utf-8")
    doc = document(text, json.loads((EVAL / f"{name}.faulty.json").read_text()))
    watched = Watched(chromium, page_of(tmp_path, doc, text))
    flagged = {k: r for k, r in doc.grounding.items.items() if r.problems and k != "summary"}
    assert len(flagged) >= 20
    for key, report in flagged.items():
        item = watched.page.locator(f'li.item[data-key="{key}"]')
        shown = item.inner_text()
        assert all(p.code in shown for p in report.problems), key
        missing = sum(len(s) == 0 for s in report.spans)
        assert item.locator("li.missing").count() == missing
        for marker in watched.page.locator(f'.start[data-key="{key}"]').all():
            assert all(p.code in marker.get_attribute("title") for p in report.problems)
    assert watched.errors == []


def test_hostile_strings_are_text_and_no_script_runs(chromium, tmp_path):
    text = HOSTILE_ARTICLE + " " + " ".join(HOSTILE)
    doc = document(
        text,
        hostile_extraction([*HOSTILE, '" onmouseover="alert(2)', "x' autofocus onfocus='alert(3)"]),
    )
    page = page_of(tmp_path, doc, text)
    watched = Watched(chromium, page)
    for item in watched.page.locator("li.item").all():
        item.click()
        item.hover()
    watched.page.locator(".start").first.hover()
    body = watched.page.locator("body").inner_text()
    assert "<script>alert('x')</script>" in body and "[click](javascript:alert(1))" in body
    assert watched.page.locator("script").count() == 1  # the page's own
    assert watched.page.locator("img, iframe, a[href^='javascript'], textarea").count() == 0
    assert watched.dialogs == [] and watched.errors == []
    assert watched.requests == [page.resolve().as_uri()]


def test_without_script_the_highlights_and_items_still_show(chromium, tmp_path):
    text = (EXAMPLES / "aleppo-offensive-2.txt").read_text(encoding="utf-8")
    doc = SummaryDocument.model_validate_json(
        (EXAMPLES / "aleppo-offensive-2.summary.json").read_text()
    )
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(page_of(tmp_path, doc, text).resolve().as_uri())
    assert page.locator(".article .start").count() == sum(found_spans(doc).values())
    assert page.locator("li.item").count() == len(doc.grounding.items) - 1
    assert page.locator("li.item a[href^='#span-']").count() >= 40
    context.close()


def test_render_reproduces_the_brief_without_a_model_call(tmp_path):
    saved = tmp_path / "aleppo-offensive-1.json"
    assert run_summarizer("summary", "examples/aleppo-offensive-1.txt", "--replay", "cassettes",
                          "-o", str(saved)).returncode == 0  # fmt: skip
    brief = run_summarizer("summary", "examples/aleppo-offensive-1.txt", "--replay", "cassettes",
                           "--format", "markdown")  # fmt: skip
    again = run_summarizer("render", str(saved), "--format", "markdown")  # no server, no key
    assert again.returncode == 0 and _timeless(again.stdout) == _timeless(brief.stdout)
    html = tmp_path / "page.html"
    refused = run_summarizer("render", str(saved), "--format", "html", "-o", str(html))
    assert refused.returncode == 2 and "--article" in refused.stderr and not html.exists()
    wrong = run_summarizer("render", str(saved), "--format", "html", "--article",
                           "examples/aleppo-offensive-2.txt")  # fmt: skip
    assert wrong.returncode == 2 and "sha256 differs" in wrong.stderr
    (tmp_path / "aleppo-offensive-1.txt").write_text(
        (EXAMPLES / "aleppo-offensive-1.txt").read_text()
    )
    found = run_summarizer("render", str(saved), "-o", str(html))  # .html: the page
    assert found.returncode == 0 and html.read_text().startswith("<!doctype html>")


def _timeless(text: str) -> str:
    import re

    return re.sub(r"\d{4}-\d\d-\d\dT[\d:]+\+00:00", "TIME", text)


def test_a_batch_writes_a_page_per_article_and_an_index_with_correct_counts(chromium, tmp_path):
    inputs = reference_inputs(tmp_path)
    (inputs / "empty.txt").write_text("  \n")
    faulty = {n: json.loads((EVAL / f"{n}.faulty.json").read_text())
              for n in ("aleppo-offensive-1", "aleppo-offensive-2")}  # fmt: skip

    def responder(body: dict):
        return ok(faulty[reference_name(body)])

    out = tmp_path / "out"
    with FakeOpenAI(responder=responder) as fake:
        done = run_summarizer("summary", str(inputs), "-o", str(out), "--format", "html",
                              "--repairs", "0", env=fake.env())  # fmt: skip
    assert done.returncode == 1  # the empty article failed
    watched = Watched(chromium, out / "index.html")
    rows = watched.page.locator("tbody tr")
    assert rows.count() == 3
    for name in ("aleppo-offensive-1", "aleppo-offensive-2"):
        doc = json.loads((out / f"{name}.json").read_text())
        statuses = [r["status"] for k, r in doc["grounding"]["items"].items() if k != "summary"]
        cells = watched.page.locator(f"tr:has(a[href='{name}.html']) td").all_inner_texts()
        assert cells[:5] == [
            name,
            "flagged",
            str(statuses.count("grounded")),
            str(statuses.count("weak")),
            str(statuses.count("ungrounded")),
        ]
        assert (out / f"{name}.html").exists()
    failed = watched.page.locator("tr.failed td").all_inner_texts()
    assert failed[0] == "empty" and "empty" in failed[-1]
    assert watched.errors == [] and watched.requests == [(out / "index.html").resolve().as_uri()]


def test_an_article_named_index_keeps_its_page(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "index.txt").write_text((EXAMPLES / "aleppo-offensive-2.txt").read_text())
    answer = ok(json.loads((EVAL / "aleppo-offensive-2.faithful.json").read_text()))
    with FakeOpenAI(responder=lambda body: answer) as fake:
        env = fake.env()
        done = run_summarizer("summary", str(inputs), "-o", str(tmp_path / "out"), "--format",
                              "html", env=env)  # fmt: skip
    assert done.returncode == 0
    pages = sorted(p.name for p in (tmp_path / "out").glob("*.html"))
    assert "index.html" in pages and any(p.startswith("index-") for p in pages)
    assert "<table>" in (tmp_path / "out" / "index.html").read_text()
