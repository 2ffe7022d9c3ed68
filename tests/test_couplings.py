"""What layers share is explicit: report keys, the article input, notices, what attempts
count, and options checked before any request."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT, claim, extraction

from summarizer.contract.article import ArticleInput
from summarizer.contract.errors import InputError
from summarizer.contract.keys import SUMMARY_KEY, keyed_items
from summarizer.contract.models import Extraction, SummaryDocument
from summarizer.extraction.dropping import drop_items_with_problems
from summarizer.grounding.checks import validate
from summarizer.reports.markdown import document_markdown
from summarizer.reports.text import document_text

TEXT = "Rebels cut the highway on Thursday, the observatory said. Residents fled north."


def duplicate_id_document() -> SummaryDocument:
    """Two claims that share the id C1; the second one's evidence is not in the article."""
    ex = Extraction.model_validate(extraction(
        headline="Rebels cut the highway", summary="Rebels cut the highway on Thursday.",
        claims=[claim("C1", "Rebels cut the highway.", ["Rebels cut the highway on Thursday"]),
                claim("C1", "Rebels took the airport.", ["Rebels took the airport"])],
    ))  # fmt: skip
    report = validate(TEXT, ex)
    meta = ArticleInput(TEXT, id="dup").meta()
    return SummaryDocument.model_validate({
        "schema_version": "1", "article": meta.model_dump(), "extraction": ex.model_dump(),
        "grounding": report.model_dump(), "dropped": [],
        "provenance": {"model": "m", "prompt_version": "v", "schema_version": "1",
                       "created_at": "2024-11-28T00:00:00+00:00", "attempts": 1,
                       "usage": {"prompt_tokens": 0, "completion_tokens": 0}},
    })  # fmt: skip


def test_report_keys_name_every_item_once():
    doc = duplicate_id_document()
    keys = [key for key, _ in keyed_items(doc.extraction)]
    assert keys == ["C1", "C1#2"]
    assert set(doc.grounding.items) == {*keys, SUMMARY_KEY}
    assert [p.code for p in doc.grounding.items["C1#2"].problems] == [
        "evidence_not_found", "duplicate_id"]  # fmt: skip


def test_the_brief_and_the_text_view_show_both_items_of_a_shared_id():
    doc = duplicate_id_document()
    brief = document_markdown(doc)
    assert "- **C1#2** Rebels took the airport." in brief
    assert brief.count("`evidence_not_found`") == 1 and brief.count("`duplicate_id`") == 2
    text = document_text(doc)
    assert "C1#2" in text and text.count("evidence_not_found") == 1


def test_drop_removes_the_item_its_key_names():
    doc = duplicate_id_document()
    _, report, dropped = drop_items_with_problems(TEXT, doc.extraction, doc.grounding)
    by_key = {d.key: d for d in dropped}  # both carry duplicate_id; each keeps its own problems
    assert by_key["C1"].item.statement == "Rebels cut the highway."
    assert by_key["C1#2"].item.statement == "Rebels took the airport."
    assert [p.code for p in by_key["C1#2"].problems] == ["evidence_not_found", "duplicate_id"]
    assert report.ok


def test_reading_an_article_loads_no_model_client():
    code = ("import sys; from summarizer.sources.articles import load_article; "
            "load_article('examples/aleppo-offensive-1.txt'); "
            "print(sorted(m for m in sys.modules if m.startswith(('openai', 'httpx2', "
            "'summarizer.providers', 'summarizer.pipeline', 'tenacity'))))")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)  # fmt: skip
    assert out.stdout.strip() == "[]"
    assert ArticleInput.__module__ == "summarizer.contract.article"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": "  \n"}, "empty"),
        ({"window_chars": 500}, "window_chars 500: give at least 2000"),
        ({"repairs": -1}, "repairs -1"),
        ({"on_problems": "ignore"}, "on_problems 'ignore': choose one of flag, drop, fail"),
    ],
)
def test_summarize_refuses_bad_input_before_any_request(kwargs, message):
    from summarizer import Options, summarize

    text = kwargs.pop("text", TEXT)
    window = kwargs.pop("window_chars", None)
    with pytest.raises(InputError, match=message):
        options = Options(window_chars=window) if window else None
        summarize(text, options=options, base_url="http://127.0.0.1:9/v1", **kwargs)
