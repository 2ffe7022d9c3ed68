"""Batch throughput at a real model's pace, local cost per article, and memory for a day's wire.

    python benchmarks/batch_throughput.py [--cases 1:8,1:64,5:64] [--rounds 10]
                                          [--v1-python PATH] [--memory-articles 10000]

1. Throughput, design by design: for each case LATENCY:JOBS, JOBS x `--rounds` copies of
   reference article 1 (5.7 KB, each with its own dateline, so none is skipped), each
   answered with the 52-item evaluation extraction by the fake OpenAI server
   (tests/fakeserver.py) after LATENCY seconds, through `summarizer summary DIR -o OUT
   --jobs JOBS` in a child process. The designs, side by side:
   - one process: the event loop sends the requests and runs the checks itself;
   - check pool: the same, with the checks mapped over a process pool of one process per
     core (`--check-processes`);
   - v1 workers (with `--v1-python`, the interpreter of an installation of commit 001dfbf):
     the design this replaced, where forked worker processes did all but the requests.
   Printed: the batch's own time (from its closing table) and its ratio to the ideal,
   rounds x latency; process start-up comes on top, once per run.
2. Local time per article, in this process: everything a batch does for one article but
   the HTTP request (reading the file, the prompt and request body, reading and checking
   the 52-item answer, the document, writing it), through the flow every driver runs, the
   median of 5 passes over `--local-articles` articles, with the checks' memo caches
   emptied before each article.
3. Memory: `--memory-articles` articles of about 2 KB in one JSON Lines file, through the
   same command; printed is the peak of the memory held by the batch's processes together
   (their proportional set sizes, sampled every 50 ms).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fakeserver import FakeOpenAI, echo_reply, ok  # noqa: E402
from memos import forget_memos  # noqa: E402

#: Passes over the articles for the local time (the median is printed).
LOCAL_PASSES: int = 5
ARTICLE = (ROOT / "examples" / "aleppo-offensive-1.txt").read_text(encoding="utf-8")
ANSWER = json.loads((ROOT / "tests" / "eval" / "aleppo-offensive-1.faithful.json").read_text())


def run_cli(
    inputs: Path, outdir: Path, server: FakeOpenAI, jobs: int, *extra: str, python: str = ""
) -> tuple[float, str]:
    """Run a batch in a child process; the batch's own seconds, from its closing table."""
    env = {"PATH": "/usr/bin:/bin", "OPENAI_BASE_URL": server.base_url,
           "OPENAI_API_KEY": "sk-benchmark-not-a-key"}  # fmt: skip
    command = [python or sys.executable, "-m", "summarizer", "summary", str(inputs), "-o",
               str(outdir), "--jobs", str(jobs), "-q", *extra]  # fmt: skip
    # Run from outside the checkout, so that `-m summarizer` is the interpreter's install.
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False,
                          cwd=outdir.parent)  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"batch failed ({done.returncode}): {done.stdout}\n{done.stderr}")
    seconds = float(re.search(r"requests \d+\s+([\d.]+) s", done.stdout).group(1))
    return seconds, done.stdout


def startup_seconds() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import summarizer.cli, summarizer.runs.batch, openai"],
                   check=True)  # fmt: skip
    return time.perf_counter() - started


def write_copies(directory: Path, n: int) -> None:
    directory.mkdir(parents=True)
    for i in range(n):
        (directory / f"wire-{i:05d}.txt").write_text(f"{ARTICLE}\nDispatch {i}.\n")


def throughput(cases: list[tuple[float, int]], rounds: int, v1_python: str, work: Path) -> None:
    """Each case through each design, with the 52-item answer (made once: the fake server
    shares the machine, and its work is not the batch's)."""
    answer = ok(ANSWER)
    pool = str(os.cpu_count() or 1)
    designs = [("one process", (), ""), ("check pool", ("--check-processes", pool), "")]
    if v1_python:
        designs.append(("v1 workers", (), v1_python))
    print(f"throughput: copies of a {len(ARTICLE) / 1000:.1f} KB article, each answered with"
          f" 52 items; {rounds} rounds of --jobs requests; ratio = batch time / ideal")  # fmt: skip
    for latency, jobs in cases:
        articles = jobs * rounds
        ideal = rounds * latency
        inputs = work / f"in-{jobs}"
        if not inputs.exists():
            write_copies(inputs, articles)
        figures = []
        for label, extra, python in designs:
            with FakeOpenAI(latency=latency, responder=lambda body: answer) as server:
                out = work / f"out-{latency}-{jobs}-{label.replace(' ', '-')}"
                seconds, _ = run_cli(inputs, out, server, jobs, *extra, python=python)
            figures.append(f"{label} {seconds:.2f} s ({seconds / ideal:.2f}x)")
        print(f"  {latency:g} s latency, --jobs {jobs:>2}, {articles:>4} articles, ideal"
              f" {ideal:.1f} s: " + "; ".join(figures))  # fmt: skip
    print(f"  process start-up and imports, once per run: {startup_seconds():.2f} s")


def local_time(articles: int, work: Path) -> None:
    import gc

    import openai  # noqa: F401 - what a batch process has loaded, before it settles its heap

    from summarizer.contract.calls import CallStats
    from summarizer.contract.options import Options
    from summarizer.pipeline.article import article_document_flow
    from summarizer.pipeline.drivers import drive
    from summarizer.providers.settings import ModelSettings
    from summarizer.runs.outcomes import Job, conclude
    from summarizer.sources.articles import load_article

    gc.freeze()  # as the command does after its imports (cli.summary._settle_heap)
    write_copies(work / "local", articles)
    content = json.loads(ok(ANSWER).body)["choices"][0]["message"]["content"]
    settings, options = ModelSettings(api_key="x"), Options()
    paths = sorted((work / "local").iterdir())

    def one(path: Path, outdir: Path) -> None:
        article, _ = load_article(str(path))
        flow = article_document_flow(article, options, settings, CallStats())
        document = drive(flow, lambda body: content)  # the body is made; the answer is read
        job = Job(path.name, article.id or path.stem, outdir / f"{path.stem}.json", article)
        outcome = conclude(job, document, 1)
        assert outcome.status == "ok", outcome

    # In LOCAL_PASSES passes over the articles, so that a burst of load from a neighbour
    # on a shared machine shows as one slow pass, not as the figure.
    passes = []
    for n in range(LOCAL_PASSES):
        spent = 0.0
        for path in paths:
            forget_memos()
            started = time.perf_counter()
            one(path, work / f"local-out-{n}")
            spent += time.perf_counter() - started
        passes.append(spent / articles * 1000)
    total = statistics.median(passes)
    print(f"local time: {total:.1f} ms per {len(ARTICLE) / 1000:.1f} KB article with a 52-item"
          f" answer, all a batch does for it but the HTTP request; median of {LOCAL_PASSES}"
          f" passes ({min(passes):.1f}-{max(passes):.1f})")  # fmt: skip


def tree_memory_mb(pid: int) -> float:
    """Memory a process and its descendants hold: their proportional set sizes (pages
    shared by forked workers counted once, split among them), in MB."""
    total_kb = 0
    for member in [pid, *descendants(pid)]:
        try:
            for line in Path(f"/proc/{member}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total_kb += int(line.split()[1])
        except OSError:
            pass  # it just ended
    return total_kb / 1024


def descendants(pid: int) -> list[int]:
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            found += children
            frontier += children
    return found


def memory(articles: int, work: Path) -> None:
    source = work / "wire.jsonl"
    paragraph = ARTICLE[:2000]
    with source.open("w") as f:
        for i in range(articles):
            f.write(json.dumps({"id": f"story-{i}", "text": f"{paragraph}\nDispatch {i}."}) + "\n")
    with FakeOpenAI(responder=echo_reply) as server:
        env = {"PATH": "/usr/bin:/bin", "OPENAI_BASE_URL": server.base_url,
               "OPENAI_API_KEY": "sk-benchmark-not-a-key"}  # fmt: skip
        command = [sys.executable, "-m", "summarizer", "summary", str(source), "-o",
                   str(work / "jsonl-out"), "--jobs", "16", "-q"]  # fmt: skip
        started = time.perf_counter()
        proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
        peak = 0.0
        while proc.poll() is None:
            peak = max(peak, tree_memory_mb(proc.pid))
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        if proc.returncode != 0:
            raise SystemExit(f"batch failed ({proc.returncode})")
    largest_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    results = sum(1 for _ in (work / "jsonl-out").glob("*.json"))
    size_mb = source.stat().st_size / 1e6
    print(f"memory: {articles} articles from one JSON Lines file ({size_mb:.1f} MB),"
          f" {results} results in {elapsed:.1f} s; peak memory of the batch's processes"
          f" {peak:.0f} MB (proportional set size, sampled every 50 ms); largest single"
          f" process {largest_mb:.0f} MB resident")  # fmt: skip


def cases_of(text: str) -> list[tuple[float, int]]:
    return [(float(a), int(b)) for a, b in (case.split(":") for case in text.split(","))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=cases_of, default="1:8,1:64,5:64",
                        help="LATENCY:JOBS,... (seconds of latency, requests in flight)")
    parser.add_argument("--rounds", type=int, default=10, help="rounds of --jobs requests")
    parser.add_argument("--v1-python", default="", help="an interpreter with v1 installed")
    parser.add_argument("--local-articles", type=int, default=100)
    parser.add_argument("--memory-articles", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        throughput(args.cases, args.rounds, args.v1_python, work)
        local_time(args.local_articles, work)
        if args.memory_articles:
            memory(args.memory_articles, work)


if __name__ == "__main__":
    main()
