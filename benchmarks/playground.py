"""The playground under load: training speed while the page receives frames, the time a step
click takes to show, and the server's memory over a long run.

    python benchmarks/playground.py                 # ~11 min: 10 minutes of memory samples
    python benchmarks/playground.py --minutes 1     # a shorter check

The server is the real ``glassnet playground`` command in its own process; the client is a
WebSocket client (for throughput and memory) and Debian's Chromium through Playwright (for the
step click). Writes benchmarks/PLAYGROUND.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from websockets.sync.client import connect

HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("GLASSNET_CHROMIUM", "/usr/bin/chromium")


def start_server() -> tuple[subprocess.Popen[str], str, int, str]:
    """``glassnet playground --no-browser --port 0``: the process, its URL, port and token."""
    process = subprocess.Popen(
        [sys.executable, "-c", "from glassnet.cli import entry_point; entry_point()",
         "playground", "--no-browser", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"(http://127\.0\.0\.1:(\d+)/\?token=(\S+))", line)
    if match is None:
        process.kill()
        raise SystemExit(f"the playground did not print its URL: {line!r}")
    return process, match.group(1), int(match.group(2)), match.group(3)


def rss_mib(pid: int) -> float:
    """Resident memory of a process, in MiB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


class Client:
    """A WebSocket session that counts the heat-map frames and keeps the latest state."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.frames = 0
        self.states = 0
        self.state: dict[str, Any] = {}
        hello = self.receive_json("hello")
        self.defaults: dict[str, Any] = hello["defaults"]

    def receive_json(self, kind: str, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = self.ws.recv(timeout=deadline - time.monotonic())
            if isinstance(message, bytes):
                self.frames += 1
                continue
            data = json.loads(message)
            if data["type"] == "state":
                self.states += 1
                self.state = data
            if data["type"] == "error":
                raise RuntimeError(data["message"])
            if data["type"] == kind:
                return data
        raise TimeoutError(f"no {kind!r} message within {timeout} s")

    def send(self, **message: Any) -> None:
        self.ws.send(json.dumps(message))

    def drain(self, seconds: float) -> None:
        """Receive for ``seconds``, counting frames and states."""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            try:
                message = self.ws.recv(timeout=left)
            except TimeoutError:
                return
            if isinstance(message, bytes):
                self.frames += 1
            else:
                data = json.loads(message)
                if data["type"] == "state":
                    self.states += 1
                    self.state = data


def session(port: int, token: str) -> Any:
    """A WebSocket session, as the page opens it (same Origin, the token in the URL)."""
    return connect(
        f"ws://127.0.0.1:{port}/ws?token={token}",
        origin=f"http://127.0.0.1:{port}",  # type: ignore[arg-type]
        max_size=None,
    )


def throughput(port: int, token: str, seconds: float) -> dict[str, float]:
    """Epochs a second and frames a second of the default network on the spiral data."""
    with session(port, token) as ws:
        return _throughput(Client(ws), seconds)


def _throughput(client: Client, seconds: float) -> dict[str, Any]:
    config = {**client.defaults, "dataset": "spiral"}
    client.send(type="config", config=config)
    client.receive_json("state")
    client.drain(0.5)
    client.send(type="play")
    client.drain(1.0)  # warm-up
    epoch0, frames0, start = client.state["epoch"], client.frames, time.perf_counter()
    client.drain(seconds)
    elapsed = time.perf_counter() - start
    epochs = client.state["epoch"] - epoch0
    frames = client.frames - frames0
    client.send(type="pause")
    return {
        "epochs_per_second": epochs / elapsed,
        "frames_per_second": frames / elapsed,
        "seconds": elapsed,
        "layers": config["layers"],
        "points": config["n_points"],
        "batch_size": config["batch_size"],
    }


ARM_LATENCY_PROBE = """() => {
  const epoch = document.querySelector('[data-testid=epoch]');
  const before = epoch.textContent;
  let clicked = null;
  document.querySelector('[data-testid=step]').addEventListener(
    'click', () => { clicked = performance.now(); }, {once: true, capture: true});
  window.__stepLatency = new Promise(resolve => {
    const observer = new MutationObserver(() => {
      if (clicked === null || epoch.textContent === before) return;
      observer.disconnect();
      requestAnimationFrame(() => resolve(performance.now() - clicked));
    });
    observer.observe(epoch, {childList: true, characterData: true, subtree: true});
  });
}"""


def step_latency(url: str, clicks: int) -> list[float]:
    """Milliseconds from a click on Step to the new epoch shown on the page, per click."""
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(url + "#dataset=spiral")
        page.wait_for_function("() => window.glassnet && window.glassnet.state")
        for _ in range(clicks):
            # the page's own clock: from the click event to the frame after the epoch changed
            page.evaluate(ARM_LATENCY_PROBE)
            page.click("[data-testid=step]")
            times.append(page.evaluate("() => window.__stepLatency"))
        browser.close()
    return times


def memory(port: int, token: str, pid: int, minutes: float) -> list[tuple[float, float, int]]:
    """(seconds, RSS MiB, epoch) sampled every 10 s while one session plays."""
    with session(port, token) as ws:
        return _memory(Client(ws), pid, minutes)


def _memory(client: Client, pid: int, minutes: float) -> list[tuple[float, float, int]]:
    client.send(type="config", config={**client.defaults, "dataset": "spiral"})
    client.receive_json("state")
    client.send(type="play")
    samples = []
    start = time.perf_counter()
    while (elapsed := time.perf_counter() - start) < minutes * 60:
        samples.append((elapsed, rss_mib(pid), int(client.state.get("epoch", 0))))
        client.drain(10)
    samples.append((time.perf_counter() - start, rss_mib(pid), int(client.state["epoch"])))
    client.send(type="pause")
    return samples


def render(speed: dict[str, Any], clicks: list[float], samples: list[Any], minutes: float) -> str:
    first_minute = [s for s in samples if s[0] >= 60] or samples
    growth = samples[-1][1] - first_minute[0][1]
    rows = "\n".join(
        f"| {t:.0f} | {m:.1f} | {e} |" for t, m, e in samples[:: max(1, len(samples) // 12)]
    )
    return f"""# The playground under load

Measured by `benchmarks/playground.py` on {platform.machine()}, {os.cpu_count()} cores,
Python {platform.python_version()}; the server is `glassnet playground` in its own process.

## Training while the page draws

The default network (inputs X₁ and X₂, hidden layers {speed["layers"]} tanh, sigmoid output, SGD)
on the spiral data ({speed["points"]} points, half for training, batch size
{speed["batch_size"]}), with one 50×50 heat map per neuron sent as binary frames, over
{speed["seconds"]:.0f} s:

| quantity | measured | target |
|---|---|---|
| epochs trained a second | {speed["epochs_per_second"]:.0f} | ≥ 100 |
| frames received a second | {speed["frames_per_second"]:.1f} | ≥ 30 (the server sends at most 30) |

## A step click

From the click on Step to the new epoch on the page, in Chromium, over {len(clicks)} clicks:
median {statistics.median(clicks):.0f} ms, slowest {max(clicks):.0f} ms (target: ≤ 100 ms).

## Memory over {minutes:g} minutes of training

Resident memory of the server process while one page trains without pause; from the end of the
first minute to the end it changed by {growth:+.1f} MiB, over
{samples[-1][2]:,} epochs.

| seconds | RSS (MiB) | epoch |
|---|---|---|
{rows}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, default=10.0, help="throughput window")
    parser.add_argument("--clicks", type=int, default=20)
    args = parser.parse_args()
    process, url, port, token = start_server()
    try:
        speed = throughput(port, token, args.seconds)
        print(json.dumps(speed), flush=True)
        clicks = step_latency(url, args.clicks)
        print(f"step click: median {statistics.median(clicks):.0f} ms", flush=True)
        samples = memory(port, token, process.pid, args.minutes)
        print(f"memory: {samples[0][1]:.1f} → {samples[-1][1]:.1f} MiB", flush=True)
    finally:
        process.terminate()
        process.wait(timeout=20)
    (HERE / "PLAYGROUND.md").write_text(render(speed, clicks, samples, args.minutes))
    print(f"wrote {HERE / 'PLAYGROUND.md'}")


if __name__ == "__main__":
    main()
