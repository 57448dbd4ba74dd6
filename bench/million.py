#!/usr/bin/env python3
"""A million points (bench/README.md, "Maps of a million points"): `embeval explore` of 1,000,000 × 384 embeddings
with PCA, UMAP and t-SNE (FFT), each command's wall time and peak memory (/usr/bin/time -v), then umap-learn and
openTSNE on the same input with the same budget: each peer process may run as long as Embeval's command took, times
BENCH_MILLION_SLACK (default 1.5); one that runs past it is stopped and reported as not finished.

Not part of `make bench` (about an hour on 2 cores). Usage:
    python3 bench/million.py [path/to/embeval] [points]      (BENCH_MILLION_DIR, default /tmp/embeval-million)
BENCH_MILLION_METHODS picks the maps (default pca,umap,tsne). BENCH_MILLION_PEER_BUDGET=SECONDS skips Embeval's
command and gives each peer that budget (a peer re-run against an earlier Embeval measurement); BENCH_MILLION_PEERS=0
runs Embeval's commands only (Embeval re-measured against an earlier peer run). Each peer's own
progress output (openTSNE's per-phase timings) goes to peer-<method>.log beside the inputs, also when it is stopped.
Inputs (numpy, seeded): 100 Gaussian classes in 384 dimensions, unit-variance noise around centres drawn with
standard deviation 2, so classes overlap but are mostly separable; float32, 1.5 GB at 1M rows.
The peers get what Embeval does before mapping: rows L2-normalised, then PCA to 50 dimensions (scikit-learn), then
the map; the PCA case maps straight to 2. Trustworthiness (k = 10) of every finished map is scikit-learn's, on one
seeded subset of 5,000 rows of the normalised input, the same for all.
"""
import json
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
THREADS = 2
ENV = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
ENV.update(OMP_NUM_THREADS=str(THREADS), NUMBA_NUM_THREADS=str(THREADS))


def generate(directory, n, d=384, classes=100):
    x_path, labels_path = os.path.join(directory, "x.npy"), os.path.join(directory, "labels.npy")
    if os.path.exists(x_path) and np.load(x_path, mmap_mode="r").shape == (n, d):
        return x_path, labels_path
    rng = np.random.default_rng(7)
    centres = 2 * rng.standard_normal((classes, d), dtype=np.float32)
    labels = rng.integers(0, classes, n)
    x = np.lib.format.open_memmap(x_path, mode="w+", dtype="<f4", shape=(n, d))
    for s in range(0, n, 100_000):
        e = min(n, s + 100_000)
        x[s:e] = centres[labels[s:e]] + rng.standard_normal((e - s, d), dtype=np.float32)
    x.flush()
    np.save(labels_path, labels.astype("<i8"))
    return x_path, labels_path


def measured(cmd, timeout, log=None):
    """Runs cmd under /usr/bin/time -v; wall seconds, peak RSS in MB, exit code, whether the budget stopped it (and
    the command's whole standard output written to `log`, if given)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(["/usr/bin/time", "-v", *cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=ENV, start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
        stopped = False
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, 9)
        out, err = p.communicate()
        stopped = True
    wall = time.perf_counter() - t0
    if log:
        with open(log, "w") as f:
            f.write(out)
    rss = next((int(line.split(":")[1]) / 1000 for line in err.splitlines() if "Maximum resident set size" in line), None)
    return {"wall_seconds": round(wall, 1), "peak_rss_mb": rss, "returncode": p.returncode, "stopped_at_budget": stopped,
            "stdout_tail": out[-400:], "stderr_tail": "\n".join(l for l in err.splitlines() if "\t" not in l)[-400:]}


def peer(method, x_path, out_path):
    """The Python peer in this (child) process: normalise, PCA, map; prints its stages' seconds as JSON."""
    from sklearn.decomposition import PCA
    x = np.load(x_path)
    t0 = time.perf_counter()
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    stages = {}
    if method == "pca":
        y = PCA(n_components=2).fit_transform(x)
        stages["pca"] = time.perf_counter() - t0
    else:
        reduced = PCA(n_components=50, random_state=0).fit_transform(x)
        stages["pca50"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        if method == "umap":
            import umap
            y = umap.UMAP(random_state=None, n_jobs=THREADS).fit_transform(reduced)
        else:
            from openTSNE import TSNE
            y = np.asarray(TSNE(n_jobs=THREADS, random_state=0, negative_gradient_method="fft", verbose=True).fit(reduced))
        stages[method] = time.perf_counter() - t1
    np.save(out_path, np.asarray(y, dtype=np.float32))
    print(json.dumps({"stages": stages, "total": time.perf_counter() - t0}))


def trustworthiness(x_path, maps, points=5000):
    from sklearn.manifold import trustworthiness as score
    x = np.load(x_path, mmap_mode="r")
    idx = np.sort(np.random.default_rng(0).choice(len(x), points, replace=False))
    sub = np.asarray(x[idx], dtype=np.float64)
    sub /= np.linalg.norm(sub, axis=1, keepdims=True)
    return {name: round(float(score(sub, np.load(path)[idx], n_neighbors=10)), 4) for name, path in maps.items()}


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "peer":
        return peer(*sys.argv[2:5])
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/release/embeval"))
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    slack = float(os.environ.get("BENCH_MILLION_SLACK", "1.5"))
    directory = os.environ.get("BENCH_MILLION_DIR", "/tmp/embeval-million")
    os.makedirs(directory, exist_ok=True)
    x_path, labels_path = generate(directory, n)
    results = {"points": n, "dimensions": 384, "threads": THREADS, "slack": slack, "runs": {}}
    maps = {}
    import sklearn  # versions only; the peers' packages are needed only when they run
    results["versions"] = {"scikit-learn": sklearn.__version__}
    if os.environ.get("BENCH_MILLION_PEERS") != "0":
        import umap, openTSNE  # noqa: E401
        results["versions"].update({"umap-learn": umap.__version__, "openTSNE": openTSNE.__version__})
    peer_budget = os.environ.get("BENCH_MILLION_PEER_BUDGET")
    for method in [m for m in os.environ.get("BENCH_MILLION_METHODS", "pca,umap,tsne").split(",") if m]:
        if peer_budget:
            budget = float(peer_budget)
            results["runs"][method] = {"embeval": {"skipped": f"BENCH_MILLION_PEER_BUDGET={peer_budget}"}}
        else:
            e = run_embeval(binary, method, directory, x_path, labels_path, maps)
            budget = max(60.0, slack * e["wall_seconds"])
            results["runs"][method] = {"embeval": e}
        if os.environ.get("BENCH_MILLION_PEERS") == "0":
            with open(os.path.join(directory, "results.json"), "w") as f:
                json.dump(results, f, indent=1)
            continue
        peer_out = os.path.join(directory, f"peer-{method}.npy")
        if os.path.exists(peer_out):
            os.remove(peer_out)
        p = measured([sys.executable, "-u", os.path.abspath(__file__), "peer", method, x_path, peer_out], timeout=budget,
                     log=os.path.join(directory, f"peer-{method}.log"))
        p["budget_seconds"] = round(budget, 1)
        if p["returncode"] == 0 and os.path.exists(peer_out):
            p["peer_stages"] = json.loads(p["stdout_tail"].strip().splitlines()[-1])
            maps[f"peer-{method}"] = peer_out
        print(f"peer {method}: {p['wall_seconds']} s wall (budget {budget:.0f} s{', STOPPED' if p['stopped_at_budget'] else ''}), "
              f"peak RSS {p['peak_rss_mb']} MB, rc {p['returncode']}", flush=True)
        results["runs"][method]["peer"] = p
        with open(os.path.join(directory, "results.json"), "w") as f:
            json.dump(results, f, indent=1)
    results["trustworthiness"] = trustworthiness(x_path, maps)
    with open(os.path.join(directory, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    print(json.dumps({k: v for k, v in results.items() if k != "runs"}))
    print(f"results: {os.path.join(directory, 'results.json')}")


def run_embeval(binary, method, directory, x_path, labels_path, maps):
    """Embeval's explore command for one map, measured; adds its map to `maps` when it finished."""
    out = os.path.join(directory, f"embeval-{method}")
    subprocess.run(["rm", "-rf", out])
    e = measured([binary, "explore", "--embeddings", x_path, "--labels", labels_path, "--method", method,
                  "--pca-dims", "50", "--out", out, "--json", os.path.join(directory, f"embeval-{method}.json"),
                  "--no-progress", "--no-thumbnails", "--page-neighbours", "0"], timeout=7200)
    if e["returncode"] == 0:
        with open(os.path.join(directory, f"embeval-{method}.json")) as f:
            report = json.load(f)["maps"][0]
        e["map_seconds"], e["own_trustworthiness"] = report["seconds"], report.get("trustworthiness")
        maps[f"embeval-{method}"] = os.path.join(out, f"{method}.npy")
    print(f"embeval {method}: {e['wall_seconds']} s wall, peak RSS {e['peak_rss_mb']} MB, rc {e['returncode']}", flush=True)
    return e


if __name__ == "__main__":
    main()
