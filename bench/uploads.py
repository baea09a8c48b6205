"""Candidate file throughput and memory: `python -m bench.uploads` (about a minute).

Starts its own mongod and one app process (dev mode, its own token issuer, the worker off so
text extraction does not compete), then measures, against that process over loopback:
- upload (create + PUT + complete) and download throughput of a 5 MB PDF at concurrency 8;
- the app's resident memory while 8 uploads of 10 MB stream at once (sampled every 10 ms),
  against its resident memory just before: streaming means it grows by far less than 80 MB.
Writes bench/results/uploads.md.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from bson import ObjectId
from pymongo import MongoClient

from crowdhire.auth.dev import mint_dev_token
from crowdhire.auth.viewer import ADMIN_PERMISSION
from crowdhire.dev.servers import HOST, MongodServer, free_port
from crowdhire.schema.ids import encode_global_id
from crowdhire.settings import Environment, Settings
from tests.document_support import COMPLETE_UPLOAD, CREATE_UPLOAD, pdf_bytes

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "uploads.md"
DB_NAME = "crowdhire_bench_uploads"
CONCURRENCY = 8
ROUNDS = 4  # files per concurrent client in the throughput runs
APP = (
    "import uvicorn; from crowdhire.server import create_app;"
    " from crowdhire.settings import load_settings;"
    " uvicorn.run(create_app(load_settings()), host='{host}', port={port}, log_level='warning')"
)


def rss_mb(pid: int) -> float:
    """Resident memory of a live process now (VmRSS), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def start_app(uri: str, data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """The real app under uvicorn in its own process."""
    port = free_port()
    env = {**os.environ, "CROWDHIRE_ENV": "dev", "MONGODB_URI": uri, "MONGODB_DB": DB_NAME,
           "DATA_DIR": str(data_dir), "WORKER_ENABLED": "false",
           "MAX_DOCUMENTS_PER_CANDIDATE": "1000"}  # fmt: skip
    env.pop("MEMCACHED_URL", None)
    proc = subprocess.Popen([sys.executable, "-c", APP.format(host=HOST, port=port)], env=env)
    url = f"http://{HOST}:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/healthz", timeout=1).raise_for_status()
            return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the app did not answer in 60 s")


async def upload_one(client: httpx.AsyncClient, token: str, cid: str, content: bytes) -> str:
    """Create, PUT, complete; the document's download URL."""
    headers = {"Authorization": f"Bearer {token}"}
    fields = {"kind": "CV", "filename": "cv.pdf", "contentType": "application/pdf"}
    variables: dict[str, Any] = {"input": {"candidateId": cid, "size": len(content), **fields}}
    created = await client.post("/graphql", json={"query": CREATE_UPLOAD, "variables": variables},
                                headers=headers)  # fmt: skip
    upload = created.json()["data"]["createCandidateDocumentUpload"]["upload"]
    put = await client.put(upload["uploadUrl"], content=content)
    put.raise_for_status()
    complete = {"input": {"documentId": upload["documentId"]}}
    done = await client.post(
        "/graphql", headers=headers, json={"query": COMPLETE_UPLOAD, "variables": complete}
    )
    url: str = done.json()["data"]["completeCandidateDocumentUpload"]["document"]["downloadUrl"]
    return url


async def measure(url: str, pid: int, token: str, cids: list[str]) -> dict[str, float]:
    """The three numbers, in MB/s and MiB."""
    five, ten = pdf_bytes("Bench CV", 5_000_000), pdf_bytes("Bench CV", 10 * 1024 * 1024 - 1024)
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        await upload_one(client, token, cids[0], pdf_bytes("warm-up", 1_000_000))
        before = rss_mb(pid)
        peak = before
        sampling = True

        async def sample() -> None:
            nonlocal peak
            while sampling:
                peak = max(peak, rss_mb(pid))
                await asyncio.sleep(0.01)

        sampler = asyncio.create_task(sample())
        await asyncio.gather(*(upload_one(client, token, cid, ten) for cid in cids))
        sampling = False
        await sampler

        async def uploader(cid: str) -> list[str]:
            return [await upload_one(client, token, cid, five) for _ in range(ROUNDS)]

        started = time.perf_counter()
        urls = [u for batch in await asyncio.gather(*(uploader(cid) for cid in cids))
                for u in batch]  # fmt: skip
        upload_seconds = time.perf_counter() - started
        headers = {"Authorization": f"Bearer {token}"}

        async def downloader(mine: list[str]) -> int:
            got = 0
            for link in mine:
                async with client.stream("GET", link, headers=headers) as response:
                    async for chunk in response.aiter_bytes():
                        got += len(chunk)
            return got

        started = time.perf_counter()
        sizes = await asyncio.gather(
            *(downloader(urls[i::CONCURRENCY]) for i in range(CONCURRENCY))
        )
        download_seconds = time.perf_counter() - started
    megabytes = len(five) * len(urls) / 1e6
    assert sum(sizes) == len(five) * len(urls)
    return {
        "upload_mb_s": megabytes / upload_seconds,
        "upload_files_s": len(urls) / upload_seconds,
        "download_mb_s": megabytes / download_seconds,
        "download_files_s": len(urls) / download_seconds,
        "rss_before_mb": before,
        "rss_peak_mb": peak,
        "rss_growth_mb": peak - before,
    }


def report(numbers: dict[str, float]) -> str:
    """The results as a Markdown table."""
    return "\n".join([
        "# Candidate files: throughput and memory (`python -m bench.uploads`)",
        "",
        f"One app process (uvicorn, dev mode, worker off), one mongod, loopback, c={CONCURRENCY}."
        " Each client uploads to its own candidate. Numbers from a 2-core box shared with other"
        " test runs: compare runs on one machine, not absolute values.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| upload 5 MB PDF (create + PUT + complete), {CONCURRENCY * ROUNDS} files |"
        f" {numbers['upload_mb_s']:.1f} MB/s ({numbers['upload_files_s']:.1f} files/s) |",
        f"| download 5 MB PDF, {CONCURRENCY * ROUNDS} files |"
        f" {numbers['download_mb_s']:.1f} MB/s ({numbers['download_files_s']:.1f} files/s) |",
        f"| app RSS before 8 concurrent 10 MB uploads | {numbers['rss_before_mb']:.0f} MiB |",
        f"| app RSS peak during them | {numbers['rss_peak_mb']:.0f} MiB |",
        f"| growth (streaming: must stay under 80 MB; 80 MB is what holding them whole costs) |"
        f" {numbers['rss_growth_mb']:.1f} MiB |",
        "",
    ])  # fmt: skip


def main() -> None:
    """Start the servers, measure, write the report, stop what was started."""
    with tempfile.TemporaryDirectory(prefix="crowdhire-bench-uploads-") as tmp:
        data_dir = Path(tmp)
        with MongodServer(data_dir / "mongo") as mongod:
            now = datetime.now(UTC)
            # One candidate per client, as with different recruiters: uploads to one candidate
            # serialize on it (that is how the per-candidate file limit holds).
            raws: list[dict[str, Any]] = [
                {"recruiter_id": ObjectId(), "full_name": f"Bench Candidate {n}",
                 "created_at": now, "updated_at": now}
                for n in range(CONCURRENCY)
            ]  # fmt: skip
            client: MongoClient[dict[str, Any]] = MongoClient(mongod.uri)
            inserted = client[DB_NAME]["candidates"].insert_many(raws)
            client.close()
            cids = [str(encode_global_id("Candidate", i)) for i in inserted.inserted_ids]
            token = mint_dev_token(Settings(crowdhire_env=Environment.DEV, data_dir=data_dir),
                                   "bench|admin", [ADMIN_PERMISSION])  # fmt: skip
            proc, url = start_app(mongod.uri, data_dir)
            try:
                numbers = asyncio.run(measure(url, proc.pid, token, cids))
            finally:
                proc.terminate()
                proc.wait(10)
    text = report(numbers)
    RESULTS.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
