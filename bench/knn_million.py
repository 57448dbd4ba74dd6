#!/usr/bin/env python3
"""kNN of a million against a million (bench/README.md, "kNN of 1M × 1M"): `embeval knn` train-test of 1,000,000
test rows against 1,000,000 train rows, and leave-one-out over the 1,000,000 train rows, each under
/usr/bin/time -v (wall time, peak RSS), with the accuracies and the command's own kNN timing from its JSON report.

Not part of `make bench` (on 2 cores about 75 minutes for train-test and 40 for leave-one-out). Usage:
    python3 bench/knn_million.py [path/to/embeval] [rows]      (BENCH_KNN_MILLION_DIR, default /tmp/embeval-knn-million;
                                                             BENCH_KNN_MILLION_PROTOCOLS, default "loo,train-test")
Inputs (numpy, seeded, written in chunks): case 3's generator (`prepare.py` `make_knn`: 10 unit class directions,
noise of norm ~6, a shared offset) at 1M test and 1M train rows, float32, 1.5 GB each.
"""
import json
import os
import sys

import numpy as np

from million import measured

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def generate(directory, n, d=384, classes=10, sigma=6.0, chunk=100_000):
    """test.npy / train.npy and their labels, as make_knn draws them, written a chunk at a time."""
    marker = os.path.join(directory, f".done-{n}")
    if os.path.exists(marker):
        return
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((classes, d)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    offset = rng.standard_normal((1, d)).astype(np.float32) * (0.5 / np.sqrt(d))
    for name in ("test", "train"):
        labels = rng.integers(0, classes, n).astype(np.int64)
        x = np.lib.format.open_memmap(os.path.join(directory, f"{name}.npy"), mode="w+", dtype="<f4", shape=(n, d))
        for s in range(0, n, chunk):
            e = min(n, s + chunk)
            noise = rng.standard_normal((e - s, d), dtype=np.float32) * np.float32(sigma / np.sqrt(d))
            x[s:e] = centres[labels[s:e]] + noise + offset
        x.flush()
        del x
        np.save(os.path.join(directory, f"{name}_labels.npy"), labels)
    open(marker, "w").close()


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/release/embeval"))
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    directory = os.environ.get("BENCH_KNN_MILLION_DIR", "/tmp/embeval-knn-million")
    protocols = [p for p in os.environ.get("BENCH_KNN_MILLION_PROTOCOLS", "loo,train-test").split(",") if p]
    os.makedirs(directory, exist_ok=True)
    generate(directory, n)
    path = lambda name: os.path.join(directory, name)
    inputs_mb = {"test": sum(os.path.getsize(path(f)) for f in ("test.npy", "test_labels.npy")) / 1e6,
                 "train": sum(os.path.getsize(path(f)) for f in ("train.npy", "train_labels.npy")) / 1e6}
    results_path = path("results.json")
    results = json.load(open(results_path)) if os.path.exists(results_path) else {}
    results.update(rows=n, dimensions=384, k=20)
    runs = results.setdefault("runs", {})
    for protocol in protocols:
        report = path(f"knn-{protocol}.json")
        if protocol == "train-test":
            cmd = [binary, "knn", "--embeddings", path("test.npy"), "--labels", path("test_labels.npy"),
                   "--train-embeddings", path("train.npy"), "--train-labels", path("train_labels.npy"),
                   "--protocol", "train-test", "--k", "20", "--json", report, "--no-progress"]
            inputs = inputs_mb["test"] + inputs_mb["train"]
        else:
            cmd = [binary, "knn", "--embeddings", path("train.npy"), "--labels", path("train_labels.npy"),
                   "--k", "20", "--weighting", "exp", "--json", report, "--no-progress"]
            inputs = inputs_mb["train"]
        r = measured(cmd, timeout=4 * 3600)
        r["inputs_mb"] = round(inputs, 1)
        if r["returncode"] == 0:
            with open(report) as f:
                data = json.load(f)
            r["knn_seconds"] = data["timings"]["knn"]
            r["top1"], r["top5"] = data["results"][0]["top1_accuracy"], data["results"][0]["top5_accuracy"]
            r["gflops"] = round(2 * n * n * 384 / (2 if protocol == "loo" else 1) / data["timings"]["knn"] / 1e9, 1)
        runs[protocol] = r
        print(f"{protocol}: {r['wall_seconds']} s wall, kNN {r.get('knn_seconds')} s, peak RSS {r['peak_rss_mb']} MB "
              f"({r['peak_rss_mb'] / inputs:.2f}x the {inputs:.0f} MB of inputs), top-1 {r.get('top1')} %, "
              f"rc {r['returncode']}", flush=True)
        with open(results_path, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
