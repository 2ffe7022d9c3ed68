"""Batch throughput, local cost per article, and memory for a day's wire.

    python benchmarks/batch_throughput.py [--articles 200] [--jobs 16] [--latency 0.1]
                                          [--runs 5] [--memory-articles 10000]

1. Throughput: `--articles` copies of reference article 1 (5.7 KB, each with its own
   dateline, so none is skipped) through `summarizer summary DIR -o OUT --jobs N` in a child
   process, against the fake OpenAI server (tests/fakeserver.py) answering after
   `--latency` seconds. Twice: with a small answer (one event, one actor: what the batch
   machinery costs) and with a realistic one (the 52-item evaluation extraction), `--runs`
   times each. Printed: the median of the batch's own time (from its closing table), its
   ratio to the ideal articles / jobs x latency, and the process start-up, which comes on
   top once per run.
2. Local time per article, in this process: everything a batch does for one article but
   the HTTP request, through the code a worker process runs (summarizer.workers._Run), the
   median of 5 passes over `--local-articles` articles:
   reading the file, building the request, checking the 52-item answer (JSON, schema,
   pydantic, grounding), writing the result (atomically). Then the same phase
   by phase, and the whole round trip per article against the fake server with no
   latency, one at a time, which adds the HTTP client and the SDK.
3. Memory: `--memory-articles` articles of about 2 KB in one JSON Lines file, through the
   same command; printed is the peak of the memory held by the batch process and its
   worker processes together (their proportional set sizes, sampled every 50 ms).
"""

from __future__ import annotations

import argparse
import json
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


def run_cli(inputs: Path, outdir: Path, server: FakeOpenAI, jobs: int) -> tuple[float, str]:
    """Run a batch in a child process; the batch's own seconds, from its closing table."""
    env = {"PATH": "/usr/bin:/bin", "OPENAI_BASE_URL": server.base_url,
           "OPENAI_API_KEY": "sk-benchmark-not-a-key"}  # fmt: skip
    command = [sys.executable, "-m", "summarizer", "summary", str(inputs), "-o", str(outdir),
               "--jobs", str(jobs), "-q"]  # fmt: skip
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
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


def throughput(articles: int, jobs: int, latency: float, runs: int, work: Path) -> None:
    ideal = articles / jobs * latency
    print(f"throughput: {articles} articles of {len(ARTICLE) / 1000:.1f} KB, --jobs {jobs},"
          f" {latency * 1000:.0f} ms latency; ideal {ideal:.2f} s;"
          f" median of {runs} runs")  # fmt: skip
    write_copies(work / "in", articles)
    # The 52-item reply is made once: the fake server shares the machine, and its work is
    # not the batch's.
    answer = ok(ANSWER)
    for label, responder in (("small answer", echo_reply),
                             ("52-item answer", lambda body: answer)):  # fmt: skip
        times = []
        for run in range(runs):
            with FakeOpenAI(latency=latency, responder=responder) as server:
                seconds, _ = run_cli(work / "in", work / f"out-{label[:5]}-{run}", server, jobs)
            times.append(seconds)
        median = statistics.median(times)
        print(f"  {label:<15} batch {median:.2f} s, ratio {median / ideal:.2f}"
              f" (runs: {', '.join(f'{t / ideal:.2f}' for t in times)})")  # fmt: skip
    print(f"  process start-up and imports, once per run: {startup_seconds():.2f} s")


def local_time(articles: int, work: Path) -> None:
    import gc

    import openai  # noqa: F401 - what a batch process has loaded, before it settles its heap
    from summarizer.runs.workers import Relayed, WorkerConfig, _Run

    from summarizer.contract.defaults import WINDOW_CHARS
    from summarizer.extraction.steps import _steps, advance, answered
    from summarizer.grounding.checks import validate
    from summarizer.providers.chat import CallStats, ModelSettings, Reply, parse_reply
    from summarizer.runs.batch import Job, conclude
    from summarizer.sources.articles import load_article

    gc.freeze()  # as the command does after its imports (cli._settle_heap)
    write_copies(work / "local", articles)
    message = json.loads(ok(ANSWER).body)["choices"][0]["message"]
    reply = Reply(message["content"], None, "stop")
    settings = ModelSettings(api_key="x")
    config = WorkerConfig(settings=settings, repairs=1, on_problems="flag",
                          window_chars=WINDOW_CHARS)  # fmt: skip
    paths = sorted((work / "local").iterdir())

    # What a batch does for each article, all of it, as a worker process does it; in
    # LOCAL_PASSES passes over the articles, so that a burst of load from a neighbour on a
    # shared machine shows as one slow pass, not as the figure.
    passes = []
    for n in range(LOCAL_PASSES):
        spent = 0.0
        for path in paths:
            forget_memos()
            started = time.perf_counter()
            article, _ = load_article(str(path))
            out = work / f"local-out-{n}" / f"{path.stem}.json"
            run = _Run(Job(path.name, article.id or path.stem, out, article), config)
            run.start()  # the prompt, and the request body the batch process sends
            _, outcome = run.answer(Relayed(reply, None, 1, 1000, 500))
            assert outcome.status == "ok", outcome
            spent += time.perf_counter() - started
        passes.append(spent / articles * 1000)
    total = statistics.median(passes)

    # The same, phase by phase.
    phases = {"read": 0.0, "prompt": 0.0, "check": 0.0, "write": 0.0}
    for path in paths:
        forget_memos()
        t0 = time.perf_counter()
        article, _ = load_article(str(path))
        t1 = time.perf_counter()
        steps = _steps(article, settings.model, 1, "flag", CallStats(), WINDOW_CHARS)
        messages = advance(steps, steps.__next__)
        settings.encode(messages)
        t2 = time.perf_counter()
        answer = parse_reply(reply)
        validate(article.text, answer.extraction)
        t3 = time.perf_counter()
        document = answered(steps, answer)  # (checks again: not counted here)
        t4 = time.perf_counter()
        conclude(Job(path.name, article.id or path.stem, work / "local-out2" / path.name,
                     article), document, 1)  # fmt: skip
        t5 = time.perf_counter()
        for phase, spent in zip(phases, (t1 - t0, t2 - t1, t3 - t2, t5 - t4)):
            phases[phase] += spent
    detail = ", ".join(f"{k} {v / articles * 1000:.2f}" for k, v in phases.items())
    print(f"local time: {total:.1f} ms per {len(ARTICLE) / 1000:.1f} KB article with a 52-item"
          f" answer, all a batch does for it but the HTTP request; median of {LOCAL_PASSES}"
          f" passes ({min(passes):.1f}-{max(passes):.1f}); one pass by phase:"
          f" {detail} ms")  # fmt: skip
    write_copies(work / "seq", articles)
    with FakeOpenAI(responder=lambda body: ok(ANSWER)) as server:
        seconds, _ = run_cli(work / "seq", work / "seq-out", server, 1)
    print(f"  whole round trip, one at a time, no latency: {seconds / articles * 1000:.1f} ms"
          " per article (adds the HTTP client and the openai SDK)")  # fmt: skip


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
          f" {results} results in {elapsed:.1f} s; peak memory of the batch and its workers"
          f" {peak:.0f} MB (proportional set size, sampled every 50 ms); largest single"
          f" process {largest_mb:.0f} MB resident")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=16)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--runs", type=int, default=5, help="throughput runs (the median)")
    parser.add_argument("--local-articles", type=int, default=100)
    parser.add_argument("--memory-articles", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        throughput(args.articles, args.jobs, args.latency, args.runs, work)
        local_time(args.local_articles, work)
        if args.memory_articles:
            memory(args.memory_articles, work)


if __name__ == "__main__":
    main()
