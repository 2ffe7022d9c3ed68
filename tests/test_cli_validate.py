from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import EVAL, EXAMPLES, load_eval

from summarizer.cli import main
from summarizer.contract.models import GroundingReport


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


ARTICLE1 = str(EXAMPLES / "aleppo-offensive-1.txt")


@pytest.mark.parametrize("stem", ["aleppo-offensive-1", "aleppo-offensive-2"])
def test_faithful_exits_0_faulty_exits_1_with_every_planted_fault(stem, capsys):
    article = str(EXAMPLES / f"{stem}.txt")
    code, out, _ = run_cli(["validate", article, str(EVAL / f"{stem}.faithful.json")], capsys)
    assert code == 0 and json.loads(out)["ok"] is True
    code, out, _ = run_cli(
        ["validate", article, str(EVAL / f"{stem}.faulty.json"), "--format", "json"], capsys
    )
    report = GroundingReport.model_validate_json(out)
    assert code == 1 and not report.ok
    for fault in load_eval(f"{stem}.labels.json")["faults"]:
        assert fault["code"] in {p.code for p in report.items[fault["item"]].problems}, fault


def test_text_format_lists_problems(capsys):
    code, out, _ = run_cli(
        ["validate", ARTICLE1, str(EVAL / "aleppo-offensive-1.faulty.json"), "--format", "text"],
        capsys,
    )
    assert code == 1
    assert out.splitlines()[0].startswith(f"{ARTICLE1}: ")
    assert "duplicate_id" in out and "speaker_not_supported" in out


def test_a_summary_document_is_accepted(tmp_path, capsys):
    doc = tmp_path / "doc.json"
    doc.write_text(json.dumps({"extraction": load_eval("aleppo-offensive-1.faithful.json")}))
    code, _, _ = run_cli(["validate", ARTICLE1, str(doc)], capsys)
    assert code == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not JSON"),
        (json.dumps({"headline": "x", "summary": "y", "actors": [], "events": []}),
         "field claims: Field required"),
        (json.dumps({"headline": "x", "summary": "y", "actors": [], "events": [],
                     "claims": [{"id": "X1"}]}), "field claims.0"),
    ],
)  # fmt: skip
def test_bad_extraction_exits_2_naming_the_problem(tmp_path, capsys, content, message):
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    code, out, err = run_cli(["validate", ARTICLE1, str(bad)], capsys)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_missing_and_binary_files_exit_2(tmp_path, capsys):
    code, _, err = run_cli(["validate", str(tmp_path / "nope.txt"), ARTICLE1], capsys)
    assert code == 2 and "no such file" in err
    binary = tmp_path / "a.bin"
    binary.write_bytes(b"\x00\x01\x02")
    code, _, err = run_cli(
        ["validate", str(binary), str(EVAL / "aleppo-offensive-1.faithful.json")], capsys
    )
    assert code == 2 and "binary" in err


def test_stdin_and_console_script():
    extraction = (EVAL / "aleppo-offensive-1.faithful.json").read_text()
    done = subprocess.run(
        [sys.executable, "-m", "summarizer", "validate", ARTICLE1, "-"],
        input=extraction, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ok"] is True  # piped: JSON by default


def test_validate_reads_a_json_article_as_summary_does(tmp_path, capsys):
    article = tmp_path / "a1.json"
    article.write_text(
        json.dumps({"id": "a1", "text": (EXAMPLES / "aleppo-offensive-1.txt").read_text()})
    )
    code, out, _ = run_cli(
        ["validate", str(article), str(EVAL / "aleppo-offensive-1.faithful.json")], capsys
    )
    assert code == 0 and json.loads(out)["ok"] is True
