"""A local fake of OpenAI's Files and Batches endpoints, served by FakeOpenAI: a batch's
requests are answered by the fake's responder when the batch is polled for the
`polls`-th time. It counts uploads and batch creations (nothing may be paid for twice),
and can end a batch `expired` after answering only some requests, or run a callback at a
step (a test kills the client there)."""

from __future__ import annotations

import itertools
import json
import re
import time
from collections.abc import Callable
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from fakeserver import Reply, _dumps

_ids = itertools.count(1)


class FakeBatchAPI:
    def __init__(self, fake: Any, *, polls: int = 1, expire_after: int | None = None) -> None:
        self.fake = fake
        fake.batch_api = self
        self.polls = polls
        self.expire_after = expire_after
        self.files: dict[str, dict[str, Any]] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.uploads = 0
        self.creations = 0
        #: step -> callback, run after the step's work and before its answer is sent:
        #: "upload", "create", "retrieve", "content".
        self.on: dict[str, Callable[[], None]] = {}

    def handles(self, path: str) -> bool:
        return path.startswith(("/v1/files", "/v1/batches"))

    def answer(self, method: str, path: str, raw: bytes, headers: Any) -> Reply:
        route = path.split("?", 1)[0].rstrip("/")
        if method == "POST" and route == "/v1/files":
            return self._then("upload", self._upload(raw, headers))
        if method == "GET" and route == "/v1/files":
            return _ok({"object": "list", "data": [f["meta"] for f in self.files.values()],
                        "has_more": False})  # fmt: skip
        if m := re.fullmatch(r"/v1/files/([^/]+)/content", route):
            data = self.files[m.group(1)]["data"]
            binary = {"content-type": "application/octet-stream"}
            return self._then("content", Reply(200, data, binary))
        if method == "POST" and route == "/v1/batches":
            return self._then("create", self._create(json.loads(raw)))
        if method == "GET" and route == "/v1/batches":
            return _ok({"object": "list", "data": [b for b in self.batches.values()],
                        "has_more": False})  # fmt: skip
        if m := re.fullmatch(r"/v1/batches/([^/]+)", route):
            return self._then("retrieve", _ok(self._poll(m.group(1))))
        return Reply(404, _dumps({"error": {"message": f"no route {method} {route}"}}))

    def _then(self, step: str, reply: Reply) -> Reply:
        if step in self.on:
            self.on.pop(step)()
        return reply

    def _upload(self, raw: bytes, headers: Any) -> Reply:
        head = f"Content-Type: {headers['Content-Type']}\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + raw)
        fields = {part.get_param("name", header="content-disposition"): part
                  for part in message.iter_parts()}  # fmt: skip
        upload = fields["file"]
        data = upload.get_payload(decode=True)
        file_id = f"file-fake{next(_ids)}"
        meta = {"id": file_id, "object": "file", "bytes": len(data), "created_at": 0,
                "filename": upload.get_filename(), "purpose": "batch",
                "status": "processed"}  # fmt: skip
        self.files[file_id] = {"meta": meta, "data": data}
        self.uploads += 1
        return _ok(meta)

    def _create(self, body: dict[str, Any]) -> Reply:
        lines = self.files[body["input_file_id"]]["data"].decode().splitlines()
        batch_id = f"batch_fake{next(_ids)}"
        self.batches[batch_id] = {
            "id": batch_id, "object": "batch", "endpoint": body["endpoint"], "errors": None,
            "input_file_id": body["input_file_id"], "completion_window": "24h",
            "status": "validating", "output_file_id": None, "error_file_id": None,
            "created_at": int(time.time()), "metadata": body.get("metadata"),
            "request_counts": {"total": len(lines), "completed": 0, "failed": 0},
            "_polls": 0,
        }  # fmt: skip
        self.creations += 1
        return _ok(_public(self.batches[batch_id]))

    def _poll(self, batch_id: str) -> dict[str, Any]:
        batch = self.batches[batch_id]
        batch["_polls"] += 1
        if batch["status"] in ("validating", "in_progress"):
            batch["status"] = "in_progress"
            if batch["_polls"] >= self.polls:
                self._run(batch)
        return _public(batch)

    def _run(self, batch: dict[str, Any]) -> None:
        lines = self.files[batch["input_file_id"]]["data"].decode().splitlines()
        answered = lines if self.expire_after is None else lines[: self.expire_after]
        out = []
        for line in answered:
            request = json.loads(line)
            reply = self.fake._reply_for(request["body"])
            out.append(json.dumps({
                "id": f"batch_req_{next(_ids)}", "custom_id": request["custom_id"],
                "response": {"status_code": reply.status, "request_id": "req_fake",
                             "body": json.loads(reply.body)},
                "error": None,
            }))  # fmt: skip
        file_id = f"file-fake{next(_ids)}"
        data = ("\n".join(out) + "\n").encode()
        self.files[file_id] = {"meta": {"id": file_id, "object": "file", "bytes": len(data),
                                        "created_at": 0, "filename": "output.jsonl",
                                        "purpose": "batch_output", "status": "processed"},
                               "data": data}  # fmt: skip
        batch["output_file_id"] = file_id
        batch["status"] = "completed" if self.expire_after is None else "expired"
        batch["request_counts"] = {"total": len(lines), "completed": len(answered),
                                   "failed": 0}  # fmt: skip


def _public(batch: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in batch.items() if not k.startswith("_")}


def _ok(data: dict[str, Any]) -> Reply:
    return Reply(200, _dumps(data))
