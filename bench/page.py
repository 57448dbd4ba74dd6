"""The explore page at a million points: open time and frame rate of a scripted pan/zoom in headless Chromium.

Usage: python3 bench/page.py path/to/embeval [points]     (bench.py runs it as the `page` case)

Makes `points` (default 1,000,000) synthetic 2-D points in 10 labelled clusters (seeded, under bench/out/page/,
never committed), writes their page with `embeval explore --method pca --page-neighbours 0 --no-thumbnails` (a
2-D input's PCA map is the points themselves; no neighbour lists, whose exact all-pairs search is not what is
measured here), then opens `explore.html#bench=FRAMES` in headless Chromium driven over its DevTools pipe
(`--remote-debugging-pipe`: `--dump-dom` returns at the load event, before any animation frame) and reads the
page's own measurement from `<pre id="bench">` once it says `done`. Chromium composites in software
(`--disable-gpu`, as it does without a GPU). This machine has no GPU, so the page draws
with its Canvas 2D raster renderer (its default without a hardware GPU); for comparison it is measured again with
WebGL forced (`#webgl`), which Chromium renders with SwiftShader on the CPU.
Prints one JSON line with both measurements, the HTML's size and the data folder's.
"""
import json
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, "out", "page")
# --disable-gpu: software compositing, what Chromium does on a machine without a usable GPU. (With
# --use-angle=swiftshader instead, the compositor itself runs on SwiftShader, and presenting a changed 900×665
# canvas costs ~35 ms a frame here whatever the page draws: 20 fps for an empty pan.) --enable-unsafe-swiftshader
# lets the forced-WebGL measurement have a (SwiftShader) context at all.
CHROMIUM_FLAGS = ["--headless", "--disable-gpu", "--enable-unsafe-swiftshader", "--no-sandbox",
                  "--disable-dev-shm-usage", "--hide-scrollbars", "--no-first-run", "--no-default-browser-check",
                  "--disable-extensions", "--mute-audio", "--force-device-scale-factor=1", "--window-size=1200,800"]


def chromium_binary():
    for name in [os.environ.get("EMBEVAL_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"]:
        if name:
            for d in os.environ.get("PATH", "/usr/bin").split(":"):
                if os.access(os.path.join(d, name), os.X_OK):
                    return os.path.join(d, name)
    raise SystemExit("page: headless Chromium not found (install the Debian package 'chromium')")


class DevTools:
    """Chromium over --remote-debugging-pipe: JSON messages separated by NUL on fds 3 (to it) and 4 (from it)."""

    def __init__(self, profile):
        to_r, self.to_w = os.pipe()
        self.from_r, from_w = os.pipe()

        def child_fds():
            a, b = os.dup(to_r), os.dup(from_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen([chromium_binary(), *CHROMIUM_FLAGS, "--remote-debugging-pipe",
                                      "--user-data-dir=" + profile, "about:blank"],
                                     preexec_fn=child_fds, close_fds=False,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_r)
        os.close(from_w)
        self.buffer, self.next_id, self.session = b"", 0, None

    def call(self, method, params=None, session=True):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self.to_w, json.dumps(message).encode() + b"\0")
        while True:
            while b"\0" in self.buffer:
                raw, self.buffer = self.buffer.split(b"\0", 1)
                reply = json.loads(raw)
                if reply.get("id") == self.next_id:
                    if "error" in reply:
                        raise RuntimeError(f"{method}: {reply['error']}")
                    return reply["result"]
            chunk = os.read(self.from_r, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed its DevTools pipe")
            self.buffer += chunk

    def open(self, url):
        target = self.call("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True}, session=False)["sessionId"]
        self.call("Page.navigate", {"url": url})

    def evaluate(self, expression):
        return self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})["result"].get("value")

    def close(self):
        try:
            self.call("Browser.close", session=False)
        except (RuntimeError, OSError):
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def adopt_orphans():
    """Makes this process the reaper of Chromium's helpers: its zygote and renderers outlive the process that
    launched them and would be re-parented to init, so their CPU time would never reach the harness's
    RUSAGE_CHILDREN and the harness would count Chromium as other load on the machine."""
    import ctypes
    ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def reap_orphans(timeout=10):
    """Waits for the adopted helpers to exit (killing any left after `timeout` s), so their CPU time is counted."""
    end = time.time() + timeout
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid:
            continue
        if time.time() > end:
            for entry in os.listdir("/proc"):
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        if entry.isdigit() and int(f.read().rsplit(")", 1)[1].split()[1]) == os.getpid():
                            os.kill(int(entry), 9)
                except (OSError, ValueError, IndexError):
                    pass
            end = float("inf")
        time.sleep(0.05)


def measure(url, frames, timeout=600):
    """The page's #bench result (JSON) after `frames` frames, with the wall time to it."""
    tools = DevTools(os.path.join(OUT, "chromium-profile"))
    try:
        start = time.perf_counter()
        tools.open(f"{url}#bench={frames}" if "#" not in url else url.replace("#", f"#bench={frames},"))
        while time.perf_counter() - start < timeout:
            state = tools.evaluate("(function(){var b=document.getElementById('bench'),p=document.getElementById('problem');"
                                   "return JSON.stringify({done:b&&b.getAttribute('data-result'),text:b&&b.textContent,"
                                   "problem:p&&!p.hidden?p.textContent:null});})()")
            state = json.loads(state) if state else {}
            if state.get("problem"):
                raise RuntimeError(f"the page reports: {state['problem']}")
            if state.get("done") == "done":
                result = json.loads(state["text"])
                result["wall_seconds"] = time.perf_counter() - start
                return result
            time.sleep(0.25)
        raise RuntimeError(f"no bench result within {timeout} s")
    finally:
        tools.close()
        reap_orphans()


def folder_bytes(path):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(path) for f in files)


def main():
    binary = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(ROOT, ".build", "release", "embeval")
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    os.makedirs(OUT, exist_ok=True)
    adopt_orphans()
    rng = np.random.default_rng(12)
    labels = rng.integers(0, 10, n)
    centres = rng.normal(0, 6, (10, 2))
    points = (centres[labels] + rng.normal(0, 1, (n, 2)) * rng.uniform(0.5, 1.5, (10, 1))[labels]).astype(np.float32)
    np.save(os.path.join(OUT, "points.npy"), points)
    np.save(os.path.join(OUT, "labels.npy"), labels.astype(np.int64))
    page_dir = os.path.join(OUT, "explore")
    t0 = time.perf_counter()
    p = subprocess.run([binary, "explore", "--embeddings", os.path.join(OUT, "points.npy"), "--labels",
                        os.path.join(OUT, "labels.npy"), "--method", "pca", "--page-neighbours", "0", "--no-thumbnails",
                        "--out", page_dir, "--no-progress", "--json", os.path.join(OUT, "explore.json")],
                       capture_output=True, text=True, timeout=3600)
    explore_wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise SystemExit(f"page: embeval explore failed ({p.returncode}): {p.stderr.strip()[-600:]}")
    html = os.path.join(page_dir, "explore.html")
    url = "file://" + html
    load_before = os.getloadavg()[0]
    default = measure(url, int(os.environ.get("BENCH_PAGE_FRAMES", "240")))
    default["loadavg_1min_before_after"] = [load_before, os.getloadavg()[0]]
    webgl = measure(url + "#webgl", int(os.environ.get("BENCH_PAGE_WEBGL_FRAMES", "6")))
    print(json.dumps({"points": n, "labels": 10, "explore_wall_seconds": explore_wall,
                      "html_bytes": os.path.getsize(html), "folder_bytes": folder_bytes(os.path.join(page_dir, "explore_files")),
                      "default": default, "webgl": webgl}))


if __name__ == "__main__":
    main()
