"""Compose the cassettes in `cassettes/`, or re-record them against the live API.

    python tests/compose_cassettes.py            # compose all (offline)
    python tests/compose_cassettes.py --live     # re-record against the API (OPENAI_API_KEY)

Composing runs the real client code (`summarizer.summarize`) against a local server on
127.0.0.1 that answers with the hand-written responses of `tests/fixtures/responses/`, and
records every request and response with vcrpy. The recording is rewritten to the OpenAI
API's address, and scrubbed: request headers other than content type are dropped (the
authorization first of all), and only response headers that identify no account are kept.

`--live` re-records the scenarios a live API can reproduce (the two reference articles, a
wrong key, an unknown model); the others script faults on purpose and stay composed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import vcr

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scenarios import RESPONSES, SCENARIOS, TEST_KEY, Scenario

from summarizer.contract.errors import UserError
from summarizer.pipeline.article import summarize
from summarizer.providers.chat import ModelClient
from summarizer.providers.failures import redact
from summarizer.providers.settings import ModelSettings

API = "https://api.openai.com/v1"
#: Response headers worth keeping; everything else (organisation, project, cookies...) goes.
KEPT_RESPONSE_HEADERS = frozenset(
    {"content-type", "retry-after", "retry-after-ms", "x-request-id", "openai-processing-ms",
     "x-ratelimit-limit-requests", "x-ratelimit-limit-tokens", "x-ratelimit-remaining-requests",
     "x-ratelimit-remaining-tokens", "x-ratelimit-reset-requests", "x-ratelimit-reset-tokens"}
)  # fmt: skip
_KEY_RE = re.compile(r"sk-[A-Za-z0-9_\-*]+")


def scrub_request(request):  # type: ignore[no-untyped-def]
    """The API's address with the request's own path (and query); no header but its type."""
    path = request.uri.split("/v1", 1)[1] if "/v1" in request.uri else "/chat/completions"
    request.uri = API + path
    for name in list(request.headers):
        if name.lower() != "content-type":
            del request.headers[name]
    return request


def scrub_response(response, key: str | None = None):  # type: ignore[no-untyped-def]
    """Only headers that identify no account; the key in use redacted by its value, and
    anything shaped like a key."""
    response["headers"] = {
        k: v for k, v in response["headers"].items() if k.lower() in KEPT_RESPONSE_HEADERS
    }
    body = response["body"]["string"]
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    response["body"]["string"] = _KEY_RE.sub("sk-[redacted]", redact(body, key))
    return response


def recorder(key: str | None = None) -> vcr.VCR:
    """A vcrpy recorder that scrubs every interaction, `key` redacted by its value."""
    return vcr.VCR(
        record_mode="all",
        before_record_request=scrub_request,
        before_record_response=lambda response: scrub_response(response, key),
        decode_compressed_response=True,
    )


class _Scripted(BaseHTTPRequestHandler):
    answers: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        answer = self.answers.pop(0)
        body = json.dumps(answer["body"], ensure_ascii=False).encode("utf-8")
        self.send_response(answer["status"])
        for name, value in answer["headers"].items():
            self.send_header(name, value)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def reference_story():  # type: ignore[no-untyped-def]
    """The story of the two reference articles as `summarizer story` makes it from the
    recordings: their clean answers, checked against the articles."""
    from summarizer.story.compare import compare
    from summarizer.story_evaluation import document

    documents = []
    for name in ("aleppo-offensive-1", "aleppo-offensive-2"):
        answer = json.loads((RESPONSES / f"clean-{name}.json").read_text())
        extraction = json.loads(answer["body"]["choices"][0]["message"]["content"])
        text = (Path(__file__).resolve().parent.parent / "examples" / f"{name}.txt").read_text()
        documents.append(document(name, None, text, extraction))
    return compare(documents), documents


def run_batch_api(settings: ModelSettings) -> str:
    """The two reference articles through `summarizer summary --batch-api --wait`."""
    import tempfile

    from click.testing import CliRunner

    from summarizer.cli import main

    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as work:
        inputs = Path(work) / "in"
        inputs.mkdir()
        for name in ("aleppo-offensive-1", "aleppo-offensive-2"):
            (inputs / f"{name}.txt").write_text((root / "examples" / f"{name}.txt").read_text())
        env = {"OPENAI_API_KEY": settings.api_key, "OPENAI_BASE_URL": settings.base_url,
               "SUMMARIZER_LOG_DB": str(Path(work) / "logs.db")}  # fmt: skip
        with CliRunner().isolation(env=env) as (out, _, _):
            try:
                main(["summary", str(inputs), "-o", str(Path(work) / "out"), "--batch-api",
                      "--wait"])  # fmt: skip
            except SystemExit as e:
                code = e.code
        return f"exit {code}: {out.getvalue().decode().splitlines()[1:2]}"


def compose_batch_api(scenario: Scenario) -> str:
    """The Batch API's wire format, recorded against the local fake of its endpoints
    (tests/fakebatches.py) answering with the reference articles' clean answers."""
    from fakebatches import FakeBatchAPI
    from fakeserver import FakeOpenAI, Reply, reference_name

    answers = {n: json.loads((RESPONSES / f"clean-{n}.json").read_text())
               for n in ("aleppo-offensive-1", "aleppo-offensive-2")}  # fmt: skip

    def responder(body: dict) -> Reply:
        name = reference_name(body)
        return Reply(200, json.dumps(answers[name]["body"]).encode())

    with FakeOpenAI(responder=responder) as fake:
        FakeBatchAPI(fake, polls=1)
        settings = ModelSettings(api_key=TEST_KEY, base_url=fake.base_url)
        scenario.path.unlink(missing_ok=True)
        with recorder(TEST_KEY).use_cassette(str(scenario.path)):
            return run_batch_api(settings)


def run(scenario: Scenario, settings: ModelSettings) -> str:
    if scenario.task == "batch-api":
        return run_batch_api(settings)
    if scenario.task == "links":
        from summarizer.pipeline.story_links import link_with_model

        story, documents = reference_story()
        client = ModelClient(settings, sleep=lambda _seconds: None)
        linked = link_with_model(story, documents, client)
        return f"links: rejected {linked.provenance.rejected_links}"
    try:
        doc = summarize(
            scenario.text(),
            client=ModelClient(settings, sleep=lambda _seconds: None),
            repairs=scenario.repairs,
            article_id=Path(scenario.article).stem,
        )
        return f"ok={doc.grounding.ok} requests={doc.provenance.attempts}"
    except UserError as e:
        return f"error: {e}"


def compose(scenario: Scenario) -> str:
    answers = [json.loads((RESPONSES / f"{a}.json").read_text()) for a in scenario.answers]
    handler = type("Handler", (_Scripted,), {"answers": answers})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings = ModelSettings(
            model=scenario.model, api_key=TEST_KEY, cache_key=True,  # as OpenAI's API is sent
            base_url=f"http://127.0.0.1:{server.server_port}/v1",
        )  # fmt: skip
        scenario.path.parent.mkdir(parents=True, exist_ok=True)
        scenario.path.unlink(missing_ok=True)
        with recorder(TEST_KEY).use_cassette(str(scenario.path)):
            outcome = run(scenario, settings)
    finally:
        server.shutdown()
    if handler.answers:
        raise SystemExit(f"{scenario.name}: {len(handler.answers)} scripted answer(s) unused")
    return outcome


def record_live(scenario: Scenario) -> str:
    key = scenario.live_api_key or os.environ.get("OPENAI_API_KEY")
    if not key:
        raise SystemExit("--live needs OPENAI_API_KEY")
    settings = ModelSettings(model=scenario.model, api_key=key)
    scenario.path.unlink(missing_ok=True)
    with recorder(key).use_cassette(str(scenario.path)):
        return run(scenario, settings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--live", action="store_true", help="re-record against the live API")
    parser.add_argument("names", nargs="*", help="scenarios (default: all)")
    args = parser.parse_args()
    for name in args.names or SCENARIOS:
        scenario = SCENARIOS[name]
        if args.live and not scenario.live:
            print(f"{name:<24} kept (composed: a live API will not make this fault)")
            continue
        if args.live:
            outcome = record_live(scenario)
        elif scenario.task == "batch-api":
            outcome = compose_batch_api(scenario)
        else:
            outcome = compose(scenario)
        print(f"{name:<24} {scenario.path.relative_to(scenario.path.parents[1])}: {outcome}")


if __name__ == "__main__":
    main()
