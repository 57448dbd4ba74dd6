"""Embeval vs its Python peers, measured in one run on the same inputs; see bench/README.md.

Usage: python3 bench/bench.py path/to/embeval
Prints the results table and writes it, with every raw measurement, to bench/out/results.json.
"""
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, "out")
THREADS = 2
BATCH = 32
DEMO_MODEL = os.path.join(ROOT, "tools", "demo_model", "fashion-vit")
FALLBACK_DEMO = os.path.join(OUT, "tiny-vit28")
CLIP_MODEL = os.path.join(ROOT, "tools", "demo_model", "fashion-clip")
CASES = ["embed", "layers", "decode", "knn", "zeroshot", "explore", "parquet", "webdataset", "linear", "cluster", "retrieval", "audit", "search", "page"]


def want(case):
    """BENCH_CASES=zeroshot,explore (comma-separated, default all) runs only those cases; BENCH_LARGE=1 adds the
    70k explore case."""
    chosen = [c.strip() for c in os.environ.get("BENCH_CASES", ",".join(CASES)).split(",") if c.strip()]
    return case in chosen

# Both sides run with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (both together), so that each OpenBLAS picks
# its kernel for this processor itself; the machine's defaults pin an older kernel for the sake of old builds.
BENCH_ENV = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
BENCH_ENV["OMP_NUM_THREADS"] = str(THREADS)


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def rel(path):
    return os.path.relpath(path, ROOT)


def busy_seconds():
    """CPU seconds all processes have spent so far (user+nice+system+irq+softirq+steal), from /proc/stat."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:9]]
        return (sum(v) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        return None


LAST_OTHER_LOAD = [None]
LAST_CPU_SECONDS = [None]


def run(cmd, env=None, timeout=600):
    """Runs cmd; LAST_OTHER_LOAD gets the cores that processes other than cmd kept busy meanwhile."""
    b0, r0 = busy_seconds(), resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, cwd=ROOT, env=env or BENCH_ENV, capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - t0
    b1, r1 = busy_seconds(), resource.getrusage(resource.RUSAGE_CHILDREN)
    if b0 is not None and b1 is not None:
        ours = (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)
        LAST_CPU_SECONDS[0] = ours
        LAST_OTHER_LOAD[0] = round(max(0.0, (b1 - b0) - ours) / max(wall, 1e-6), 2)
    return p, wall


def peer(case, *args, env=None, timeout=600):
    p, _ = run([sys.executable, os.path.join(HERE, "peers.py"), case, *map(str, args)], env=env, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"peers.py {case} failed ({p.returncode}): {p.stderr.strip()[-800:]}")
    result = json.loads(p.stdout.strip().splitlines()[-1])
    result["other_load_cores"] = LAST_OTHER_LOAD[0]
    return result


def error_text(p):
    text = (p.stderr.strip() or p.stdout.strip()).splitlines()
    return text[-1][:200] if text else f"exit {p.returncode}"


# ------------------------------------------------------------------------------------------------ Embeval commands

EMBED_LINE = re.compile(r"(\d+) images in ([0-9.]+)s \(([0-9.]+) images/s\)")


def embeval_embed(binary, model, photos, output, threads=THREADS, extra=()):
    shutil.rmtree(output, ignore_errors=True)
    p, wall = run([binary, "embed", "-m", model, "--dataset", photos, "--output", output,
                   "--threads", str(threads), "--batch-size", str(BATCH), *extra])
    if p.returncode != 0:
        return {"error": error_text(p), "wall_seconds": wall}
    m = EMBED_LINE.search(p.stdout)
    if not m:
        return {"error": f"no 'N images in Xs' line in: {p.stdout.strip()[-200:]}", "wall_seconds": wall}
    n, secs, rate = int(m.group(1)), float(m.group(2)), float(m.group(3))
    return {"images": n, "seconds": secs, "images_per_s": rate, "wall_seconds": wall,
            "wall_images_per_s": n / wall, "line": m.group(0), "other_load_cores": LAST_OTHER_LOAD[0],
            "cpu_ms_per_image": 1000 * LAST_CPU_SECONDS[0] / n if LAST_CPU_SECONDS[0] is not None else None}


def embeval_knn(binary, knn_dir, json_path):
    k = lambda name: os.path.join(knn_dir, name)
    p, wall = run([binary, "knn", "--embeddings", k("test.npy"), "--labels", k("test_labels.npy"),
                   "--train-embeddings", k("train.npy"), "--train-labels", k("train_labels.npy"),
                   "--protocol", "train-test", "--k", "20", "--json", json_path])
    if p.returncode != 0:
        return {"error": error_text(p), "wall_seconds": wall}
    with open(json_path) as f:
        report = json.load(f)
    top1 = report["results"][0]["top1_accuracy"] / 100.0
    return {"seconds": report["timings"]["knn"], "timings": report["timings"], "wall_seconds": wall, "top1": top1,
            "other_load_cores": LAST_OTHER_LOAD[0]}


def embeval_knn_loo(binary, knn_dir, name, json_path):
    """`embeval knn` leave-one-out (its default protocol) over one set."""
    k = lambda n: os.path.join(knn_dir, n)
    p, wall = run([binary, "knn", "--embeddings", k(f"{name}.npy"), "--labels", k(f"{name}_labels.npy"),
                   "--k", "20", "--weighting", "exp", "--json", json_path])
    if p.returncode != 0:
        return {"error": error_text(p), "wall_seconds": wall}
    with open(json_path) as f:
        report = json.load(f)
    return {"seconds": report["timings"]["knn"], "timings": report["timings"], "wall_seconds": wall,
            "top1": report["results"][0]["top1_accuracy"] / 100.0, "other_load_cores": LAST_OTHER_LOAD[0]}


def embeval_zeroshot(binary, image_encoder, text_encoder, dataset, json_path, extra):
    """`embeval zeroshot`; prompts/s from the report's text timing, images/s from text + embedding + scoring (the
    pipeline after loading), wall rates for the whole command."""
    if os.path.exists(json_path):
        os.remove(json_path)
    p, wall = run([binary, "zeroshot", "-m", f"image-encoder={image_encoder}", "-m", f"text-encoder={text_encoder}",
                   "--dataset", dataset, "--threads", str(THREADS), "--json", json_path, "--no-progress", *extra])
    if p.returncode != 0:
        return {"error": error_text(p), "wall_seconds": wall}
    with open(json_path) as f:
        report = json.load(f)
    t, n, prompts = report["timings"], report["samples"], report["parameters"]["prompts"]
    pipeline = t["text"] + t["embedding"] + t["scoring"]
    res = report["results"][0]
    return {"images": n, "prompts": prompts, "timings": t, "wall_seconds": wall,
            "prompts_per_s": prompts / t["text"] if t["text"] > 0 else None,
            "images_per_s": n / pipeline, "wall_images_per_s": n / wall,
            "top1": res["top1_accuracy"] / 100.0,
            "per_class_recall": [c["recall"] / 100.0 for c in res.get("per_class", [])],
            "other_load_cores": LAST_OTHER_LOAD[0]}


def embeval_explore(binary, x_path, labels_path, method, out_dir):
    """`embeval explore --method M` on a .npy; the time is the report's seconds of the map (after loading and
    normalising, before scoring and plotting)."""
    json_path = os.path.join(out_dir, f"{method}.json")
    os.makedirs(out_dir, exist_ok=True)
    p, wall = run([binary, "explore", "--embeddings", x_path, "--labels", labels_path, "--method", method,
                   "--pca-dims", "50", "--out", out_dir, "--json", json_path, "--no-progress", "--no-thumbnails"],
                  timeout=3600)
    if p.returncode != 0:
        return {"error": error_text(p), "wall_seconds": wall}
    with open(json_path) as f:
        m = json.load(f)["maps"][0]
    return {"seconds": m["seconds"], "wall_seconds": wall, "trustworthiness": m["trustworthiness"],
            "gradient": m["parameters"].get("gradient"), "parameters": m["parameters"],
            "other_load_cores": LAST_OTHER_LOAD[0]}


def embeval_protocol(binary, command, args, json_path, stage):
    """`embeval linear|cluster|retrieval … --json`; the time is the report's timing of the protocol's own stage
    (after the .npy files are loaded: normalising, fitting / clustering / searching, scoring)."""
    if os.path.exists(json_path):
        os.remove(json_path)
    p, wall = run([binary, command, *args, "--json", json_path], timeout=7200)
    if p.returncode != 0:
        return {"error": error_text(p), "wall_seconds": wall}
    with open(json_path) as f:
        report = json.load(f)
    return {"seconds": report["timings"][stage], "timings": report["timings"], "wall_seconds": wall,
            "results": report["results"], "validation": report.get("validation"),
            "other_load_cores": LAST_OTHER_LOAD[0]}


def npy_pair(directory, name):
    return ["--embeddings", os.path.join(directory, f"{name}.npy"), "--labels", os.path.join(directory, f"{name}_labels.npy")]


def linear_agreement(label, e, p):
    if "error" in e:
        return f"Linear probe {label}: Embeval error: {e['error']}"
    r = e["results"][0]
    d = r["top1_accuracy"] - p["top1"]
    text = (f"Linear probe {label}: test top-1 Embeval {r['top1_accuracy']:.2f} %, scikit-learn {p['top1']:.2f} % "
            f"(diff {d:+.2f} pp: {'within' if abs(d) <= 0.05 else 'OUTSIDE'} 0.05 pp)")
    if p.get("curve"):
        curve = e["validation"][0]["curve"] if e.get("validation") else []
        same = len(curve) == len(p["curve"]) and all(abs(a["top1_accuracy"] - b[1]) < 1e-9 for a, b in zip(curve, p["curve"]))
        text += (f"; chosen C Embeval {r['C']:.4g}, scikit-learn {p['C']:.4g} ({'equal' if abs(r['C'] - p['C']) <= 1e-9 * p['C'] else 'DIFFERENT'}); "
                 f"validation slice: scikit-learn's {'train_test_split' if p['split'] == 'sklearn' else 'copy of Embeval’s SplitMix64 slice'}"
                 + ("" if p["split"] == "sklearn" else f", validation curve {'identical at all' if same else 'DIFFERENT at some of the'} {len(p['curve'])} C values"))
    return text


def zeroshot_agreement(e, p):
    if "error" in e:
        return f"Zero-shot end to end: Embeval error: {e['error']}"
    same = abs(e["top1"] - p["top1"]) < 1e-6 and len(e["per_class_recall"]) == len(p["per_class_recall"]) and all(
        abs(a - b) < 1e-6 for a, b in zip(e["per_class_recall"], p["per_class_recall"]))
    return (f"Zero-shot top-1 on the 10,000 PNGs: Embeval {fmt_pct(e['top1'])}, HF steps + ORT {fmt_pct(p['top1'])}; "
            f"per-class recall {'identical on all' if same else 'DIFFERENT on some of the'} "
            f"{len(p['per_class_recall'])} classes")


NOISY = 0.25  # cores kept busy by other processes during a measurement, above which it is not clean


def noisy(r):
    return (r.get("other_load_cores") or 0) > NOISY


def best(runs, key, largest):
    """The best round among those that ran with the machine otherwise quiet (all rounds if none did)."""
    ok = [r for r in runs if "error" not in r]
    if not ok:
        return runs[-1]
    pool = [r for r in ok if not noisy(r)] or ok
    return (max if largest else min)(pool, key=lambda r: r[key])


# ------------------------------------------------------------------------------------------------ environment

def binary_blas_library(binary):
    p, _ = run(["ldd", binary])
    for line in p.stdout.splitlines():
        if "libopenblas" in line and "=>" in line:
            path = line.split("=>")[1].split("(")[0].strip()
            return os.path.realpath(path)
    return None


def faiss_kernel(env):
    code = ("import faiss, threadpoolctl, json; print(json.dumps([i.get('architecture') for i in "
            "threadpoolctl.threadpool_info() if 'faiss' in i.get('filepath', '') and i.get('internal_api') == 'openblas']))")
    p, _ = run([sys.executable, "-c", code], env=env)
    kernels = json.loads(p.stdout.strip().splitlines()[-1]) if p.returncode == 0 else []
    return kernels[0] if kernels else None


def faiss_env_matching(kernel):
    """An environment in which faiss's bundled OpenBLAS runs `kernel` (or the closest it knows): its 0.3.15 does
    not recognise this processor and, left to itself, falls back to an SSE-only kernel."""
    tried = []
    for candidate in [kernel, "SkylakeX", "Haswell"]:
        if not candidate or candidate in tried:
            continue
        tried.append(candidate)
        env = dict(BENCH_ENV, OPENBLAS_CORETYPE=candidate)
        got = faiss_kernel(env)
        if got and got.lower() == candidate.lower():
            return env, got
    return BENCH_ENV, faiss_kernel(BENCH_ENV)


def loadavg():
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def cpu_busy(seconds=0.5):
    """Cores kept busy by other processes (the harness itself sleeps meanwhile), from /proc/stat."""
    def sample():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return sum(v), v[3] + v[4]  # total, idle + iowait
    try:
        t0, i0 = sample()
        time.sleep(seconds)
        t1, i1 = sample()
        return round((1 - (i1 - i0) / max(1, t1 - t0)) * (os.cpu_count() or 1), 2)
    except OSError:
        return None


BUSY = []
WAIT_BUDGET = [float(os.environ.get("BENCH_WAIT_S", "120"))]  # seconds of waiting for quiet, over the whole run


def quiet_check(label):
    """Records the other load before a round; waits (30 s at most, 120 s over the whole run) for it to drop below
    0.2 cores."""
    busy = cpu_busy()
    waited = 0.0
    while busy is not None and busy > 0.2 and waited < 30 and WAIT_BUDGET[0] > 0:
        time.sleep(2)
        waited += 2.5
        WAIT_BUDGET[0] -= 2.5
        busy = cpu_busy()
    BUSY.append({"before": label, "busy_cores": busy, "waited_s": waited})
    if busy is not None and busy > 0.2:
        log(f"  note: {busy} core(s) busy with other work before {label}")


def load_note(r):
    return f" [other load {r.get('other_load_cores')} cores]" if noisy(r) else ""


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


# ------------------------------------------------------------------------------------------------ table

def fmt_rate(r):
    return "n/a" if r is None else f"{r:,.1f} img/s"


def fmt_ms(r):
    return "n/a" if r is None else f"{r:.3f} ms"


def fmt_prompts(r):
    return "n/a" if r is None else f"{r:,.0f} prompts/s"


def fmt_secs(s):
    return "n/a" if s is None else f"{s:.2f} s"


def row(case, ours, peer_value, fmt, higher_is_better, target, peer_name, sources=()):
    ratio = None
    if ours is not None and peer_value:
        ratio = ours / peer_value
    met = None
    if ratio is not None and target is not None:
        met = ratio >= target if higher_is_better else ratio <= target
    target_text = "info" if target is None else (f">= {target:.2f}x" if higher_is_better else f"<= {target:.2f}x")
    return {"case": case, "embeval": ours, "peer": peer_value, "peer_name": peer_name, "ratio": ratio,
            "target": target, "target_text": target_text, "higher_is_better": higher_is_better, "met": met,
            "embeval_text": fmt(ours), "peer_text": fmt(peer_value),
            "other_load_cores": [r.get("other_load_cores") for r in sources], "noisy": any(noisy(r) for r in sources)}


def case_busy(prefix):
    """The most cores other work kept busy before any round of a case."""
    return max((b["busy_cores"] or 0 for b in BUSY if b["before"].startswith(prefix)), default=0)


def print_table(rows):
    headers = ["case", "Embeval", "Python peer", "ratio", "target", "met?"]
    body = []
    for r in rows:
        body.append([r["case"], r["embeval_text"], f"{r['peer_text']} ({r['peer_name']})",
                     "n/a" if r["ratio"] is None else f"{r['ratio']:.3f}x", r["target_text"],
                     ("-" if r["met"] is None else ("yes" if r["met"] else "NO")) + ("*" if r.get("noisy") else "")])
    widths = [max(len(h), *(len(b[i]) for b in body)) for i, h in enumerate(headers)]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"
    print(line(headers))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for b in body:
        print(line(b))


# ------------------------------------------------------------------------------------------------ main

def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: bench/bench.py path/to/embeval")
    binary = os.path.abspath(sys.argv[1])
    if not os.access(binary, os.X_OK):
        raise SystemExit(f"bench: '{sys.argv[1]}' is not an executable (run `make bench`, which builds it)")
    started = time.perf_counter()

    log("preparing inputs under bench/out/ (cached after the first run)")
    p = subprocess.run([sys.executable, os.path.join(HERE, "prepare.py")], cwd=ROOT)
    if p.returncode != 0:
        raise SystemExit("bench: bench/prepare.py failed")

    vit = os.path.join(OUT, "vit-s16")
    photos = os.path.join(OUT, "photos")
    knn_dir = os.path.join(OUT, "knn")
    demo_is_fallback = not os.path.exists(os.path.join(DEMO_MODEL, "model.onnx"))
    demo = FALLBACK_DEMO if demo_is_fallback else DEMO_MODEL
    n_photos = sum(len([f for f in os.listdir(os.path.join(photos, c)) if f.endswith(".jpg")])
                   for c in os.listdir(photos) if os.path.isdir(os.path.join(photos, c)))

    blas_lib = binary_blas_library(binary)
    binary_kernel = peer("blas-kernel", blas_lib)["kernel"] if blas_lib else None
    faiss_env, faiss_matched = faiss_env_matching(binary_kernel)
    faiss_default = faiss_kernel(BENCH_ENV)
    env_info = {
        "cpu": cpu_model(), "cores": os.cpu_count(), "threads_both_sides": THREADS, "batch_size": BATCH,
        "loadavg_start": loadavg(),
        "openblas_env": "OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for Embeval and every Python peer",
        "embeval_openblas": {"library": blas_lib, "kernel": binary_kernel},
        "faiss_openblas_kernel_default": faiss_default,
        "faiss_openblas_kernel_used": faiss_matched,
        "faiss_coretype_forced": faiss_env.get("OPENBLAS_CORETYPE"),
        "python": platform.python_version(),
    }
    for mod in ["numpy", "onnxruntime", "transformers", "PIL", "faiss"]:
        try:
            env_info[mod] = __import__(mod).__version__
        except Exception as e:  # noqa: BLE001
            env_info[mod] = f"unavailable: {e}"
    log(f"Embeval's OpenBLAS kernel: {binary_kernel}; faiss's: {faiss_default} by itself, {faiss_matched} used")

    results = {"environment": env_info, "cases": {}}

    rows, notes = [], []
    ok = lambda r, key: r.get(key) if "error" not in r else None

    if want("embed"):
        # ---- 1. ViT-S/16 end-to-end on JPEG photos
        log(f"case 1: ViT-S/16 224x224 on {n_photos} JPEGs (3 rounds, interleaved)")
        emb_runs, raw_runs, hf_runs = [], [], []
        hf_cls = os.path.join(OUT, "hf-vit-cls.npy")
        for i in range(3):
            quiet_check(f"case 1 round {i + 1}")
            emb_runs.append(embeval_embed(binary, vit, photos, os.path.join(OUT, "emb-vit")))
            log(f"  embeval embed: {emb_runs[-1].get('line', emb_runs[-1].get('error'))}{load_note(emb_runs[-1])}")
            raw_runs.append(peer("ort-raw", vit, n_photos, BATCH, 1))
            log(f"  ort raw: {raw_runs[-1]['images_per_s']:.1f} images/s{load_note(raw_runs[-1])}")
            hf_runs.append(peer("hf-pipeline", vit, photos, BATCH, 1, *([hf_cls] if i == 0 else [])))
            log(f"  hf pipeline: {hf_runs[-1]['images_per_s']:.1f} images/s{load_note(hf_runs[-1])}")
        emb, raw, hf = best(emb_runs, "images_per_s", True), best(raw_runs, "images_per_s", True), best(hf_runs, "images_per_s", True)
        agreement = compare_embeddings(os.path.join(OUT, "emb-vit", "embeddings.npy"), hf_cls)
        results["cases"]["vit_s16"] = {"embeval": emb_runs, "ort_raw": raw_runs, "hf_pipeline": hf_runs,
                                       "processor": hf["processor"], "embeval_vs_hf_cls": agreement}

        # ---- 2. the small demo model: decoding dominates
        demo_name = "fallback tiny ViT 28x28 (bench/out/tiny-vit28)" if demo_is_fallback else rel(DEMO_MODEL)
        log(f"case 2: {demo_name} on the same JPEGs (5 rounds, interleaved)")
        demo_emb_runs, demo_hf_runs = [], []
        demo_cls = os.path.join(OUT, "hf-demo-cls.npy")
        for i in range(5):
            quiet_check(f"case 2 round {i + 1}")
            demo_emb_runs.append(embeval_embed(binary, demo, photos, os.path.join(OUT, "emb-demo")))
            log(f"  embeval embed: {demo_emb_runs[-1].get('line', demo_emb_runs[-1].get('error'))}")
            demo_hf_runs.append(peer("hf-pipeline", demo, photos, BATCH, 1, *([demo_cls] if i == 0 else [])))
            log(f"  hf pipeline: {demo_hf_runs[-1]['images_per_s']:.1f} images/s")
        demo_emb, demo_hf = best(demo_emb_runs, "images_per_s", True), best(demo_hf_runs, "images_per_s", True)
        photos_x5 = os.path.join(OUT, "photos-x5")
        log("case 2, steady state: the same on 1,000 images (photos x5), and Embeval with --threads 1 (3 rounds)")
        x5_emb_runs, x5_t1_runs, x5_hf_runs = [], [], []
        for i in range(3):
            quiet_check(f"case 2 x5 round {i + 1}")
            x5_emb_runs.append(embeval_embed(binary, demo, photos_x5, os.path.join(OUT, "emb-demo-x5")))
            x5_t1_runs.append(embeval_embed(binary, demo, photos_x5, os.path.join(OUT, "emb-demo-x5"), threads=1))
            x5_hf_runs.append(peer("hf-pipeline", demo, photos_x5, BATCH, 1))
            log(f"  embeval {x5_emb_runs[-1].get('images_per_s')} (--threads 1: {x5_t1_runs[-1].get('images_per_s')}), "
                f"hf {x5_hf_runs[-1]['images_per_s']:.1f} images/s")
        x5_emb, x5_t1 = best(x5_emb_runs, "images_per_s", True), best(x5_t1_runs, "images_per_s", True)
        x5_hf = best(x5_hf_runs, "images_per_s", True)
        results["cases"]["demo"] = {"model": demo_name, "fallback": demo_is_fallback, "embeval": demo_emb_runs,
                                    "hf_pipeline": demo_hf_runs, "processor": demo_hf["processor"],
                                    "embeval_vs_hf_cls": compare_embeddings(os.path.join(OUT, "emb-demo", "embeddings.npy"), demo_cls),
                                    "x5_embeval": x5_emb_runs, "x5_embeval_threads1": x5_t1_runs, "x5_hf_pipeline": x5_hf_runs}
        rows += [
            row("1a ViT-S/16 224 JPEG: embed pipeline vs raw ORT", ok(emb, "images_per_s"), raw["images_per_s"],
                fmt_rate, True, 0.95, "onnxruntime on pre-made tensors", (emb, raw)),
            row("1b ViT-S/16 224 JPEG: embed pipeline vs HF+ORT", ok(emb, "images_per_s"), hf["images_per_s"],
                fmt_rate, True, 1.05, "PIL + " + hf["processor"].rsplit(".", 1)[-1] + " + onnxruntime", (emb, hf)),
            row("1c   same, Embeval whole command (wall)", ok(emb, "wall_images_per_s"), hf["images_per_s"],
                fmt_rate, True, None, "HF+ORT, as 1b", (emb, hf)),
            row(f"2  demo model{' (FALLBACK tiny ViT)' if demo_is_fallback else ''}: embed vs HF+ORT",
                ok(demo_emb, "images_per_s"), demo_hf["images_per_s"], fmt_rate, True, 3.0,
                "PIL + " + demo_hf["processor"].rsplit(".", 1)[-1] + " + onnxruntime", (demo_emb, demo_hf)),
            row("2b   same, Embeval whole command (wall)", ok(demo_emb, "wall_images_per_s"), demo_hf["images_per_s"],
                fmt_rate, True, None, "HF+ORT, as 2", (demo_emb, demo_hf)),
            row("2c   same on 1,000 images (photos x5)", ok(x5_emb, "images_per_s"), x5_hf["images_per_s"],
                fmt_rate, True, None, "HF+ORT, 1,000 images", (x5_emb, x5_hf)),
            row("2d   same, Embeval --threads 1 (ORT intra-op 1)", ok(x5_t1, "images_per_s"), x5_hf["images_per_s"],
                fmt_rate, True, None, "HF+ORT, 2 threads, as 2c", (x5_t1, x5_hf)),
        ]

    if want("layers"):
        # ---- 15. intermediate layers: the cost of the added graph outputs (one forward pass for every layer/pooling)
        log(f"case 15: ViT-S/16 on {n_photos} JPEGs: plain cls vs cls,mean at 4 blocks vs dino-linear (3 rounds, interleaved)")
        variants = [("plain", ()), ("layers", ("--pooling", "cls,mean", "--layers", "-1,-2,-3,-4")),
                    ("dino_linear", ("--pooling", "dino-linear"))]
        runs = {name: [] for name, _ in variants}
        for i in range(3):
            quiet_check(f"case 15 round {i + 1}")
            for name, extra in variants:
                runs[name].append(embeval_embed(binary, vit, photos, os.path.join(OUT, f"emb-vit-{name}"), extra=extra))
                log(f"  {name}: {runs[name][-1].get('line', runs[name][-1].get('error'))}{load_note(runs[name][-1])}")
        plain, layers, linear = (best(runs[n], "images_per_s", True) for n in ("plain", "layers", "dino_linear"))
        # cls@-1 through the model's final LayerNorm is the plain cls of last_hidden_state.
        agreement = None
        try:
            import numpy as np
            a = np.load(os.path.join(OUT, "emb-vit-plain", "embeddings.npy"))
            b = np.load(os.path.join(OUT, "emb-vit-layers", "cls@-1", "embeddings.npy"))
            agreement = float(np.abs(a - b).max())
        except Exception as e:  # noqa: BLE001
            agreement = f"unavailable: {e}"
        results["cases"]["layers"] = {**runs, "max_abs_cls_vs_cls_at_-1": agreement}
        rows += [
            row("15a ViT-S/16: cls,mean at blocks -1..-4 (8 sets) vs plain cls, pipeline s", ok(layers, "seconds"),
                ok(plain, "seconds"), fmt_secs, False, 1.05, "embeval embed, plain cls (same run)", (layers, plain)),
            row("15b ViT-S/16: dino-linear (last 4 blocks) vs plain cls, pipeline s", ok(linear, "seconds"),
                ok(plain, "seconds"), fmt_secs, False, 1.05, "embeval embed, plain cls (same run)", (linear, plain)),
        ]
        notes.append(f"Layers: cls@-1 (final LayerNorm applied by Embeval) vs the graph's own cls: max |diff| {agreement}")

    if want("decode"):
        # ---- 2e-2i. the decode ceiling, the demo model against it, and --jpeg-draft
        demo_name = "fallback tiny ViT 28x28 (bench/out/tiny-vit28)" if demo_is_fallback else rel(DEMO_MODEL)
        photos_x5 = os.path.join(OUT, "photos-x5")
        log(f"case 2e-2i: decode ceiling (Pillow, 2 processes) vs {demo_name} exact and --jpeg-draft, "
            "and -m pixels --image-size 28 (3 rounds, interleaved)")
        dec = {k: [] for k in ["ceiling", "ceiling_200", "exact", "exact_ort1", "draft", "pixels", "pixels_draft"]}
        for i in range(3):
            quiet_check(f"case 2e round {i + 1}")
            dec["ceiling"].append(peer("decode-ceiling", photos_x5, THREADS, 1))
            dec["ceiling_200"].append(peer("decode-ceiling", photos, THREADS, 1))
            dec["exact"].append(embeval_embed(binary, demo, photos_x5, os.path.join(OUT, "emb-demo-x5")))
            # ONNX Runtime on one thread: decoding keeps both cores, and a tiny model's ops gain little from a second
            dec["exact_ort1"].append(embeval_embed(binary, demo, photos_x5, os.path.join(OUT, "emb-demo-x5-ort1"), threads=1))
            dec["draft"].append(embeval_embed(binary, demo, photos_x5, os.path.join(OUT, "emb-demo-x5-draft"),
                                              extra=["--jpeg-draft"]))
            dec["pixels"].append(embeval_embed(binary, "pixels", photos_x5, os.path.join(OUT, "emb-pixels-x5"),
                                               extra=["--image-size", "28"]))
            dec["pixels_draft"].append(embeval_embed(binary, "pixels", photos_x5, os.path.join(OUT, "emb-pixels-x5-draft"),
                                                     extra=["--image-size", "28", "--jpeg-draft"]))
            log(f"  ceiling {dec['ceiling'][-1]['images_per_s']:.1f} img/s (200: {dec['ceiling_200'][-1]['images_per_s']:.1f}); "
                + "; ".join(f"{k} {dec[k][-1].get('images_per_s', dec[k][-1].get('error'))}"
                            for k in ["exact", "exact_ort1", "draft", "pixels", "pixels_draft"]))
        b = {k: best(v, "images_per_s", True) for k, v in dec.items()}
        # accuracy of the draft: the demo model's embeddings of the 200 photos, exact vs --jpeg-draft
        exact_dir, draft_dir = os.path.join(OUT, "emb-demo"), os.path.join(OUT, "emb-demo-draft")
        embeval_embed(binary, demo, photos, exact_dir)
        embeval_embed(binary, demo, photos, draft_dir, extra=["--jpeg-draft"])
        effect = draft_effect(exact_dir, draft_dir)
        ceiling_name = f"Pillow {b['ceiling']['pillow']} (libjpeg-turbo {b['ceiling']['libjpeg_turbo']}) decode only, 2 processes"
        results["cases"]["decode"] = {"model": demo_name, "runs": dec, "draft_effect": effect,
                                      "embeval_libjpeg": binary_libjpeg(binary)}
        rows += [
            row("2e decode ceiling, 1,000 photos: Pillow decode-only", b["ceiling"]["images_per_s"], b["ceiling"]["images_per_s"],
                fmt_rate, True, None, ceiling_name, (b["ceiling"],)),
            row("2f demo model exact, 1,000 photos vs decode ceiling", ok(b["exact"], "images_per_s"), b["ceiling"]["images_per_s"],
                fmt_rate, True, 0.95, "decode ceiling, as 2e", (b["exact"], b["ceiling"])),
            row("2f'  same, Embeval whole command (wall)", ok(b["exact"], "wall_images_per_s"), b["ceiling"]["images_per_s"],
                fmt_rate, True, None, "decode ceiling, as 2e", (b["exact"], b["ceiling"])),
            row("2f\" same, --threads 1 (ONNX Runtime on one thread)", ok(b["exact_ort1"], "images_per_s"),
                b["ceiling"]["images_per_s"], fmt_rate, True, None, "decode ceiling, as 2e", (b["exact_ort1"], b["ceiling"])),
            row("2g -m pixels --image-size 28 (decode+resize, no model)", ok(b["pixels"], "images_per_s"),
                b["ceiling"]["images_per_s"], fmt_rate, True, None, "decode ceiling, as 2e", (b["pixels"], b["ceiling"])),
            row("2h demo model --jpeg-draft vs decode ceiling", ok(b["draft"], "images_per_s"), b["ceiling"]["images_per_s"],
                fmt_rate, True, None, "decode ceiling, as 2e", (b["draft"], b["ceiling"])),
            row("2h'  same, Embeval whole command (wall)", ok(b["draft"], "wall_images_per_s"), b["ceiling"]["images_per_s"],
                fmt_rate, True, None, "decode ceiling, as 2e", (b["draft"], b["ceiling"])),
            row("2i -m pixels --image-size 28 --jpeg-draft", ok(b["pixels_draft"], "images_per_s"),
                b["ceiling"]["images_per_s"], fmt_rate, True, None, "decode ceiling, as 2e", (b["pixels_draft"], b["ceiling"])),
            row("2j decode ceiling, 200 photos (as case 2)", b["ceiling_200"]["images_per_s"], b["ceiling_200"]["images_per_s"],
                fmt_rate, True, None, ceiling_name, (b["ceiling_200"],)),
        ]
        cpu = {k: min((r["cpu_ms_per_image"] for r in v if r.get("cpu_ms_per_image") is not None), default=None)
               for k, v in dec.items()}
        results["cases"]["decode"]["cpu_ms_per_image_best"] = cpu
        rows += [
            row(f"2k CPU per image, whole command: {label}", cpu[key], cpu["ceiling"], fmt_ms, False, None,
                "Pillow decode-only CPU, as 2e", dec[key])
            for label, key in [("demo exact", "exact"), ("demo exact --threads 1", "exact_ort1"), ("demo --jpeg-draft", "draft"), ("pixels 28", "pixels"),
                               ("pixels 28 --jpeg-draft", "pixels_draft")]
        ]
        if "error" not in effect:
            notes.append(f"--jpeg-draft, {demo_name} on the 200 photos: cosine(draft, exact) mean {effect['mean_cosine']:.4f}, "
                         f"min {effect['min_cosine']:.4f}; leave-one-out 1-NN top-1 (cosine, {effect['classes']} classes) "
                         f"{fmt_pct(effect['top1_exact'])} exact, {fmt_pct(effect['top1_draft'])} draft, "
                         f"{effect['nn_label_changed']} of {effect['images']} nearest-neighbour labels changed. "
                         f"libjpeg-turbo: Embeval {results['cases']['decode']['embeval_libjpeg']}, "
                         f"Pillow {b['ceiling']['libjpeg_turbo']}.")
        else:
            notes.append(f"--jpeg-draft effect: {effect['error']}")

    if want("knn"):
        # ---- 3. kNN train-test 10k x 60k, d=384
        log("case 3: kNN train-test 10k x 60k, d=384, k=20 (2 rounds, interleaved)")
        quiet_check("sgemm")
        sgemm = peer("sgemm", 4096, 4096, 384, 5)
        log(f"  numpy sgemm 4096x4096x384: {sgemm['gflops']:.1f} GFLOP/s ({sgemm['blas'][0].get('kernel')})")
        knn_runs, faiss_runs = [], []
        for i in range(2):
            quiet_check(f"case 3 round {i + 1}")
            knn_runs.append(embeval_knn(binary, knn_dir, os.path.join(OUT, "knn-embeval.json")))
            log(f"  embeval knn: {knn_runs[-1].get('seconds', knn_runs[-1].get('error'))} s{load_note(knn_runs[-1])}")
            faiss_runs.append(peer("faiss-knn", knn_dir, 20, 1, env=faiss_env))
            log(f"  faiss ({faiss_matched}): {faiss_runs[-1]['seconds']:.2f} s{load_note(faiss_runs[-1])}")
        faiss_self = peer("faiss-knn", knn_dir, 20, 1)
        log(f"  faiss ({faiss_default}, its own choice): {faiss_self['seconds']:.2f} s")
        knn, fa = best(knn_runs, "seconds", False), best(faiss_runs, "seconds", False)
        flop = 2.0 * 10_000 * 60_000 * 384
        results["cases"]["knn"] = {"embeval": knn_runs, "faiss": faiss_runs, "faiss_own_kernel": faiss_self,
                                   "sgemm": sgemm, "flop": flop}
        rows += [
            row(f"3  kNN 10kx60k d=384 k=20 (time; BLAS {binary_kernel} vs {faiss_matched})", ok(knn, "seconds"),
                fa["seconds"], fmt_secs, False, 0.95, "faiss IndexFlatIP + numpy vote", (knn, fa)),
            row("3b   same, Embeval whole command (wall)", ok(knn, "wall_seconds"), fa["seconds"], fmt_secs, False, None,
                "faiss, as 3", (knn, fa)),
            row(f"3c   faiss on its own kernel choice ({faiss_default})", ok(knn, "seconds"), faiss_self["seconds"],
                fmt_secs, False, None, f"faiss, {faiss_default}", (knn, faiss_self)),
        ]
        # ---- 3d. kNN leave-one-out over the 60k set (the seeds' default protocol)
        log("case 3d: kNN leave-one-out 60k x 60k, d=384, k=20 (2 rounds, interleaved)")
        loo_runs, faiss_loo_runs = [], []
        for i in range(2):
            quiet_check(f"case 3d round {i + 1}")
            loo_runs.append(embeval_knn_loo(binary, knn_dir, "train", os.path.join(OUT, "knn-loo-embeval.json")))
            log(f"  embeval knn (leave-one-out): {loo_runs[-1].get('seconds', loo_runs[-1].get('error'))} s{load_note(loo_runs[-1])}")
            faiss_loo_runs.append(peer("faiss-knn-loo", knn_dir, "train", 20, 1, env=faiss_env))
            log(f"  faiss (k+1, self dropped): {faiss_loo_runs[-1]['seconds']:.2f} s{load_note(faiss_loo_runs[-1])}")
        loo, fa_loo = best(loo_runs, "seconds", False), best(faiss_loo_runs, "seconds", False)
        results["cases"]["knn_loo"] = {"embeval": loo_runs, "faiss": faiss_loo_runs}
        results["top1_loo"] = {"embeval": loo.get("top1"), "faiss": fa_loo["top1"]}
        rows += [
            row("3d kNN leave-one-out 60kx60k d=384 k=20 (time)", ok(loo, "seconds"), fa_loo["seconds"], fmt_secs, False,
                0.6, "faiss IndexFlatIP search(k+1), self dropped, numpy vote", (loo, fa_loo)),
            row("3e   same, Embeval whole command (wall)", ok(loo, "wall_seconds"), fa_loo["seconds"], fmt_secs, False,
                None, "faiss, as 3d", (loo, fa_loo)),
        ]
        knn_gflops = flop / knn["seconds"] / 1e9 if "seconds" in knn else None
        faiss_gflops = flop / fa["phases"]["search"] / 1e9
        results["sgemm"] = {"numpy_gflops": sgemm["gflops"], "numpy_kernel": sgemm["blas"][0].get("kernel"),
                            "embeval_knn_implied_gflops": knn_gflops, "faiss_search_implied_gflops": faiss_gflops,
                            "embeval_share_of_numpy_peak": knn_gflops / sgemm["gflops"] if knn_gflops else None}
        results["top1"] = {"embeval": knn.get("top1"), "faiss": fa["top1"]}

    # ---- 4. zero-shot, text side: 1,000 class names x 8 templates
    zs = os.path.join(OUT, "zeroshot")
    clip_image, clip_text = os.path.join(CLIP_MODEL, "image-encoder"), os.path.join(CLIP_MODEL, "text-encoder")
    if want("zeroshot"):
        log("case 4: zero-shot text side, 1,000 class names x 8 templates = 8,000 prompts (3 rounds, interleaved)")
        zt_emb_runs, zt_peer_runs = [], []
        for i in range(3):
            quiet_check(f"case 4 round {i + 1}")
            zt_emb_runs.append(embeval_zeroshot(binary, clip_image, clip_text, "fashion-mnist", os.path.join(OUT, "zs-text.json"),
                                                ["--samples", "10", "--classnames", os.path.join(zs, "classnames-1000.txt"),
                                                 "--templates", os.path.join(zs, "templates-8.txt")]))
            zt_peer_runs.append(peer("zs-text", clip_text, os.path.join(zs, "classnames-1000.txt"),
                                     os.path.join(zs, "templates-8.txt"), 64, 1))
            log(f"  embeval {zt_emb_runs[-1].get('prompts_per_s', zt_emb_runs[-1].get('error'))} prompts/s, "
                f"HF tokenizer + ORT {zt_peer_runs[-1]['prompts_per_s']:.0f} prompts/s")
        zt_emb, zt_peer = best(zt_emb_runs, "prompts_per_s", True), best(zt_peer_runs, "prompts_per_s", True)
        results["cases"]["zeroshot_text"] = {"embeval": zt_emb_runs, "peer": zt_peer_runs}
        rows.append(row(f"4  zero-shot text side: {zt_peer['prompts']:,} prompts (fashion-clip text tower)",
                        ok(zt_emb, "prompts_per_s"), zt_peer["prompts_per_s"], fmt_prompts, True, 1.0,
                        f"HF {zt_peer['tokenizer']} padding=True + onnxruntime, batch 64", (zt_emb, zt_peer)))

        # ---- 5. zero-shot end to end on the Fashion-MNIST test PNGs
        fm_png = os.path.join(OUT, "fmnist-png")
        template = "This is a photo of {}."
        log("case 5: zero-shot end to end, fashion-clip on 10,000 Fashion-MNIST PNGs (3 rounds, interleaved)")
        zi_emb_runs, zi_peer_runs = [], []
        for i in range(3):
            quiet_check(f"case 5 round {i + 1}")
            zi_emb_runs.append(embeval_zeroshot(binary, clip_image, clip_text, fm_png, os.path.join(OUT, "zs-images.json"),
                                                ["--classnames", os.path.join(zs, "classnames-fashion.txt"),
                                                 "--template", template, "--batch-size", str(BATCH), "--per-class"]))
            zi_peer_runs.append(peer("zs-images", clip_image, clip_text, fm_png, os.path.join(zs, "classnames-fashion.txt"),
                                     template, BATCH, 1))
            log(f"  embeval {zi_emb_runs[-1].get('images_per_s', zi_emb_runs[-1].get('error'))} images/s, "
                f"HF steps + ORT {zi_peer_runs[-1]['images_per_s']:.0f} images/s")
        zi_emb, zi_peer = best(zi_emb_runs, "images_per_s", True), best(zi_peer_runs, "images_per_s", True)
        results["cases"]["zeroshot_images"] = {"embeval": zi_emb_runs, "peer": zi_peer_runs}
        proc = zi_peer["processor"].rsplit(".", 1)[-1]
        rows += [
            row("5  zero-shot end to end, 10k F-MNIST PNGs", ok(zi_emb, "images_per_s"), zi_peer["images_per_s"],
                fmt_rate, True, 1.0, f"PIL + {proc} + ORT + cosine/argmax", (zi_emb, zi_peer)),
            row("5b   same, Embeval whole command (wall)", ok(zi_emb, "wall_images_per_s"), zi_peer["images_per_s"],
                fmt_rate, True, None, "as 5", (zi_emb, zi_peer)),
        ]
        notes.append(zeroshot_agreement(zi_emb, zi_peer))

    if want("parquet"):
        # ---- 9. reading a Hugging Face parquet file: images decoded per second
        pq_file = os.path.join(OUT, "parquet", "fmnist-train.parquet")
        log("case 9: parquet read, 60,000 Fashion-MNIST PNGs written by datasets (3 rounds, interleaved)")
        pq_emb_runs, pq_arrow_runs, pq_ds_runs = [], [], []
        for i in range(3):
            quiet_check(f"case 9 round {i + 1}")
            pq_emb_runs.append(embeval_embed(binary, "pixels", pq_file, os.path.join(OUT, "emb-parquet")))
            pq_arrow_runs.append(peer("parquet-pyarrow", pq_file, 1))
            pq_ds_runs.append(peer("parquet-datasets", pq_file, 1))
            log(f"  embeval {pq_emb_runs[-1].get('images_per_s', pq_emb_runs[-1].get('error'))} images/s, "
                f"pyarrow + PIL {pq_arrow_runs[-1]['images_per_s']:.0f}, datasets {pq_ds_runs[-1]['images_per_s']:.0f} images/s")
        pq_emb = best(pq_emb_runs, "images_per_s", True)
        pq_arrow, pq_ds = best(pq_arrow_runs, "images_per_s", True), best(pq_ds_runs, "images_per_s", True)
        results["cases"]["parquet"] = {"embeval": pq_emb_runs, "pyarrow_pil": pq_arrow_runs, "datasets": pq_ds_runs}
        rows += [
            row("9a parquet read: embed -m pixels vs pyarrow + PIL", ok(pq_emb, "images_per_s"), pq_arrow["images_per_s"],
                fmt_rate, True, None, "pyarrow iter_batches + PIL decode, 1 thread", (pq_emb, pq_arrow)),
            row("9b parquet read: embed -m pixels vs datasets", ok(pq_emb, "images_per_s"), pq_ds["images_per_s"],
                fmt_rate, True, None, f"datasets {pq_ds['datasets']} streaming iteration (Image decode)", (pq_emb, pq_ds)),
            row("9c   same, Embeval whole command (wall)", ok(pq_emb, "wall_images_per_s"), pq_arrow["images_per_s"],
                fmt_rate, True, None, "as 9a", (pq_emb, pq_arrow)),
        ]


    if want("linear"):
        # ---- 10. linear probe: L-BFGS logistic regression, scikit-learn's LogisticRegression(lbfgs, tol=1e-12)
        knn_dir, lin_dir = os.path.join(OUT, "knn"), os.path.join(OUT, "linear")
        rounds = max(1, int(os.environ.get("BENCH_LINEAR_ROUNDS", "1")))
        train_6k = ["--train-embeddings", os.path.join(lin_dir, "train-6k.npy"), "--train-labels",
                    os.path.join(lin_dir, "train-6k_labels.npy")]
        train_60k = ["--train-embeddings", os.path.join(knn_dir, "train.npy"), "--train-labels",
                     os.path.join(knn_dir, "train_labels.npy")]
        peer_args = lambda train: [os.path.join(knn_dir, "test.npy"), os.path.join(knn_dir, "test_labels.npy"),
                                   os.path.join(lin_dir if train == "6k" else knn_dir, "train-6k.npy" if train == "6k" else "train.npy"),
                                   os.path.join(lin_dir if train == "6k" else knn_dir,
                                                "train-6k_labels.npy" if train == "6k" else "train_labels.npy")]
        log(f"case 10: linear probe, 45-C sweep on 6k train + fixed C=1 on 60k train, 10k test, float32 and float64 "
            f"({rounds} round(s), interleaved)")
        runs = {(kind, dtype): ([], []) for kind in ("sweep", "fixed") for dtype in ("float32", "float64")}
        for i in range(rounds):
            for dtype in ("float32", "float64"):
                quiet_check(f"case 10 sweep {dtype} round {i + 1}")
                e, p = runs[("sweep", dtype)]
                e.append(embeval_protocol(binary, "linear", npy_pair(knn_dir, "test") + train_6k + ["--precision", dtype],
                                          os.path.join(OUT, f"linear-sweep-{dtype}.json"), "linear"))
                p.append(peer("linear", *peer_args("6k"), "sweep", 1000, "sklearn", dtype, timeout=7200))
                log(f"  sweep {dtype}: embeval {e[-1].get('seconds', e[-1].get('error'))} s, scikit-learn {p[-1]['seconds']:.1f} s")
                quiet_check(f"case 10 fixed-C {dtype} round {i + 1}")
                e, p = runs[("fixed", dtype)]
                e.append(embeval_protocol(binary, "linear", npy_pair(knn_dir, "test") + train_60k + ["--C", "1", "--precision", dtype],
                                          os.path.join(OUT, f"linear-c1-{dtype}.json"), "linear"))
                p.append(peer("linear", *peer_args("60k"), "1", 1000, "-", dtype, timeout=7200))
                log(f"  C=1 on 60k {dtype}: embeval {e[-1].get('seconds', e[-1].get('error'))} s, scikit-learn {p[-1]['seconds']:.1f} s")
        case = {f"{kind}_{dtype}": {"embeval": e, "peer": p} for (kind, dtype), (e, p) in runs.items()}
        bests = {key: (best(e, "seconds", False), best(p, "seconds", False)) for key, (e, p) in runs.items()}
        for dtype, letters in (("float32", "abc"), ("float64", "def")):
            (se, sp), (fe, fp) = bests[("sweep", dtype)], bests[("fixed", dtype)]
            rows += [
                row(f"10{letters[0]} linear probe {dtype}, 45-C sweep + refit: 6k train (5.4k fit / 0.6k val), 10k test",
                    ok(se, "seconds"), sp["seconds"], fmt_secs, False, 0.5,
                    f"{sp['peer']} LogisticRegression lbfgs tol=1e-12, warm_start, {dtype} rows", (se, sp)),
                row(f"10{letters[1]}   same, Embeval whole command (wall)", ok(se, "wall_seconds"), sp["seconds"], fmt_secs, False,
                    None, f"as 10{letters[0]}", (se, sp)),
                row(f"10{letters[2]} linear probe {dtype}, fixed C=1: 60k train, 10k test", ok(fe, "seconds"), fp["seconds"],
                    fmt_secs, False, 0.5, f"{fp['peer']} LogisticRegression(C=1) lbfgs tol=1e-12, {dtype} rows", (fe, fp)),
            ]
            notes.append(linear_agreement(f"10{letters[0]} (sweep on 6k, {dtype})", se, sp))
            notes.append(linear_agreement(f"10{letters[2]} (C=1 on 60k, {dtype})", fe, fp))
        if os.environ.get("BENCH_LINEAR_AGREE", "1") != "0":
            # each sweep once more, holding out exactly Embeval's validation slice: the chosen C and the whole
            # validation curve must then be equal (train_test_split holds out a different 10 %)
            for dtype, letter in (("float32", "a"), ("float64", "d")):
                log(f"case 10: agreement run, scikit-learn's {dtype} sweep on Embeval's validation slice (untimed)")
                same = peer("linear", *peer_args("6k"), "sweep", 1000, "embeval", dtype, timeout=7200)
                case[f"sweep_{dtype}"]["peer_embeval_slice"] = same
                notes.append(linear_agreement(f"10{letter} on Embeval's validation slice", bests[("sweep", dtype)][0], same))
        results["cases"]["linear"] = case

    if want("cluster"):
        # ---- 11. k-means clustering scores: scikit-learn KMeans(n_init=10, random_state=0)
        knn_dir = os.path.join(OUT, "knn")
        log("case 11: k-means, k=10, n_init=10 on 10k and 60k normalised rows (2 rounds, interleaved)")
        case = {}
        for label, name, n in [("11a", "test", "10k"), ("11b", "train", "60k")]:
            e_runs, p_runs = [], []
            for i in range(2):
                quiet_check(f"case {label} round {i + 1}")
                e_runs.append(embeval_protocol(binary, "cluster", npy_pair(knn_dir, name),
                                               os.path.join(OUT, f"cluster-{n}.json"), "cluster"))
                p_runs.append(peer("cluster", os.path.join(knn_dir, f"{name}.npy"),
                                   os.path.join(knn_dir, f"{name}_labels.npy"), 10, timeout=3600))
                log(f"  {n}: embeval {e_runs[-1].get('seconds', e_runs[-1].get('error'))} s, "
                    f"scikit-learn {p_runs[-1]['seconds']:.2f} s")
            e, p = best(e_runs, "seconds", False), best(p_runs, "seconds", False)
            case[n] = {"embeval": e_runs, "peer": p_runs}
            rows.append(row(f"{label} k-means k=10 n_init=10, {n} x 384 (normalised)", ok(e, "seconds"), p["seconds"],
                            fmt_secs, False, 1.0, f"{p['peer']} KMeans(n_init=10, random_state=0), 2 threads", (e, p)))
            if "error" not in e:
                r = e["results"][0]
                notes.append(f"k-means {n}: NMI Embeval {r['nmi']:.4f}, scikit-learn {p['nmi']:.4f} (diff "
                             f"{r['nmi'] - p['nmi']:+.4f}); ARI {r['ari']:.4f} / {p['ari']:.4f}; cluster accuracy "
                             f"{r['cluster_accuracy']:.2f} / {p['cluster_accuracy']:.2f} %; inertia {r['inertia']:.1f} / "
                             f"{p['inertia']:.1f} (different seeded k-means++ draws: close, not equal)")
        results["cases"]["cluster"] = case

    if want("audit"):
        # ---- 16. data audit of 70k rows: label issues, near duplicates, outliers (cleanlab Datalab, k=10)
        import numpy as np
        knn_dir, audit_dir = os.path.join(OUT, "knn"), os.path.join(OUT, "audit")
        os.makedirs(audit_dir, exist_ok=True)
        x_path, y_path = os.path.join(audit_dir, "all.npy"), os.path.join(audit_dir, "all_labels.npy")
        if not os.path.exists(y_path):
            np.save(x_path, np.concatenate([np.load(os.path.join(knn_dir, f"{n}.npy")) for n in ("train", "test")]))
            np.save(y_path, np.concatenate([np.load(os.path.join(knn_dir, f"{n}_labels.npy")) for n in ("train", "test")]))
        log("case 16: audit of 70k x 384 (train + test), k=10: embeval audit vs cleanlab Datalab (2 rounds, interleaved)")
        e_runs, p_runs = [], []
        for i in range(2):
            quiet_check(f"case 16 round {i + 1}")
            json_path = os.path.join(audit_dir, "embeval.json")
            if os.path.exists(json_path):
                os.remove(json_path)
            proc, wall = run([binary, "audit", "--embeddings", x_path, "--labels", y_path, "--json", json_path,
                              "--lists", os.path.join(audit_dir, "lists")], timeout=7200)
            if proc.returncode != 0:
                e_runs.append({"error": error_text(proc), "wall_seconds": wall})
            else:
                with open(json_path) as f:
                    report = json.load(f)
                e_runs.append({"seconds": report["timings"]["audit"] + report["timings"].get("exact_duplicates", 0),
                               "timings": report["timings"], "wall_seconds": wall,
                               "counts": {"label": len(report["label_issues"]), "outlier": len(report["outliers"]),
                                          "near_duplicate_relative": report["near_duplicates_relative"]["flagged"]},
                               "other_load_cores": LAST_OTHER_LOAD[0]})
            p_runs.append(peer("audit", x_path, y_path, 10, timeout=7200))
            log(f"  embeval {e_runs[-1].get('seconds', e_runs[-1].get('error'))} s (wall {e_runs[-1]['wall_seconds']:.2f} s), "
                f"cleanlab {p_runs[-1]['seconds']:.2f} s")
        e, p = best(e_runs, "seconds", False), best(p_runs, "seconds", False)
        rows.append(row("16 audit 70k x 384: label issues, near duplicates, outliers (k=10), s", ok(e, "seconds"), p["seconds"],
                        fmt_secs, False, 1.0, f"{p['peer']} Datalab.find_issues(features), 2 threads", (e, p)))
        if "error" not in e:
            ours = {}
            with open(os.path.join(audit_dir, "lists", "samples.csv")) as f:
                header = f.readline().strip().split(",")
                cols = {name: header.index(name) for name in ("label_issue", "outlier", "near_duplicate_relative")}
                for row_i, line in enumerate(f):
                    parts = line.strip().split(",")
                    for name, c in cols.items():
                        if parts[c] == "1":
                            ours.setdefault(name, set()).add(row_i)
            def jaccard(a, b):
                a, b = set(a), set(b)
                return len(a & b) / max(len(a | b), 1)
            overlap = {"label": jaccard(ours.get("label_issue", ()), p["flagged"]["label"]),
                       "outlier": jaccard(ours.get("outlier", ()), p["flagged"]["outlier"]),
                       "near_duplicate": jaccard(ours.get("near_duplicate_relative", ()), p["flagged"]["near_duplicate"])}
            notes.append("audit 70k: flagged Embeval / cleanlab, Jaccard overlap: " + "; ".join(
                f"{t} {len(ours.get(c, ()))} / {len(p['flagged'][t])} ({overlap[t]:.3f})"
                for t, c in (("label", "label_issue"), ("outlier", "outlier"), ("near_duplicate", "near_duplicate_relative"))))
        results["cases"]["audit"] = {"embeval": e_runs, "peer": [{k: v for k, v in r.items() if k != "flagged"} for r in p_runs]}

    if want("search"):
        # ---- 17. search: exact top-10 cosine of 1,000 queries in a 100k x 384 index memory-mapped from disk
        search_dir = os.path.join(OUT, "search")
        queries = os.path.join(search_dir, "queries", "queries.npy")
        # 5 rounds: a round is ~0.5 s of search on each side, and single rounds swing by 10-20 % on both
        log("case 17: search, 1,000 queries in 100k x 384, k=10: embeval search vs faiss IndexFlatIP and numpy (5 rounds)")
        e_runs, p_runs = [], []
        for i in range(5):
            quiet_check(f"case 17 round {i + 1}")
            json_path = os.path.join(search_dir, "embeval.json")
            proc, wall = run([binary, "search", "--index", search_dir, "--query-embeddings", queries, "-k", "10",
                              "--json", json_path])
            if proc.returncode != 0:
                e_runs.append({"error": error_text(proc), "wall_seconds": wall})
            else:
                with open(json_path) as f:
                    report = json.load(f)
                e_runs.append({"ms_per_query": report["ms_per_query"], "timings": report["timings"], "wall_seconds": wall,
                               "ids": [[int(h["id"][4:10]) for h in r["hits"]] for r in report["results"]],
                               "other_load_cores": LAST_OTHER_LOAD[0]})
            p_runs.append(peer("search", os.path.join(search_dir, "embeddings.npy"), queries, 10))
            log(f"  embeval {e_runs[-1].get('ms_per_query', e_runs[-1].get('error'))} ms/query (wall "
                f"{e_runs[-1]['wall_seconds']:.2f} s), faiss {p_runs[-1]['ms_per_query']:.3f} ms/query, numpy "
                f"{p_runs[-1]['numpy_ms_per_query']:.3f} ms/query")
        e, p = best(e_runs, "ms_per_query", False), best(p_runs, "ms_per_query", False)
        rows.append(row("17 search 1,000 queries in 100k x 384 (mapped), top-10 cosine, ms/query", ok(e, "ms_per_query"),
                        p["ms_per_query"], fmt_ms, False, 1.0, f"{p['peer']}, 2 threads (index added untimed)", (e, p)))
        if "error" not in e:
            same = sum(a == b for a, b in zip(e["ids"], p["ids"]))
            same_np = sum(a == b for a, b in zip(e["ids"], p["numpy_ids"]))
            notes.append(f"search 100k: top-10 lists equal to faiss's for {same} of {len(p['ids'])} queries, to numpy's for "
                         f"{same_np}; numpy {p['numpy_ms_per_query']:.3f} ms/query; faiss index.add {p['add_seconds']:.2f} s; "
                         f"embeval's whole command {e['wall_seconds']:.2f} s (mapping, health pass, search, JSON)")
        results["cases"]["search"] = {"embeval": [{k: v for k, v in r.items() if k != "ids"} for r in e_runs],
                                      "peer": [{k: v for k, v in r.items() if k not in ("ids", "scores", "numpy_ids")} for r in p_runs]}

    if want("retrieval"):
        # ---- 12. image -> image retrieval, leave-one-out: recall@k and mAP@R
        knn_dir = os.path.join(OUT, "knn")
        sizes = [("12", "test", "10k")] + ([("13", "train", "60k")] if os.environ.get("BENCH_LARGE") == "1" else [])
        log(f"case 12: image->image retrieval, leave-one-out, recall@1,5,10 + mAP@R on {', '.join(s[2] for s in sizes)} "
            "(2 rounds, interleaved)")
        case = {}
        for number, name, n in sizes:
            e_runs, np_runs, fa_runs = [], [], []
            args = (os.path.join(knn_dir, f"{name}.npy"), os.path.join(knn_dir, f"{name}_labels.npy"), "1,5,10")
            for i in range(2):
                quiet_check(f"case {number} round {i + 1}")
                e_runs.append(embeval_protocol(binary, "retrieval", npy_pair(knn_dir, name) + ["--recall-k", "1,5,10"],
                                               os.path.join(OUT, f"retrieval-{n}.json"), "retrieval"))
                np_runs.append(peer("retrieval-numpy", *args, timeout=3600))
                fa_runs.append(peer("retrieval-faiss", *args, env=faiss_env, timeout=3600))
                log(f"  {n}: embeval {e_runs[-1].get('seconds', e_runs[-1].get('error'))} s, numpy "
                    f"{np_runs[-1]['seconds']:.2f} s, faiss {fa_runs[-1]['seconds']:.2f} s")
            e, pn, pf = best(e_runs, "seconds", False), best(np_runs, "seconds", False), best(fa_runs, "seconds", False)
            case[n] = {"embeval": e_runs, "numpy": np_runs, "faiss": fa_runs}
            rows += [
                row(f"{number}a retrieval LOO {n} x 384: R@1,5,10 + mAP@R (depth {pn['depth']})", ok(e, "seconds"),
                    pn["seconds"], fmt_secs, False, 1.0, f"{pn['peer']} blocked sgemm + argpartition", (e, pn)),
                row(f"{number}b   same vs faiss", ok(e, "seconds"), pf["seconds"], fmt_secs, False, 1.0,
                    f"{pf['peer']} IndexFlatIP, k = depth + 1 ({faiss_matched})", (e, pf)),
            ]
            if "error" not in e:
                r = e["results"][0]
                fig = lambda rec, m: ", ".join(f"R@{k} {rec[k]:.2f}" for k in ("1", "5", "10")) + f", mAP@R {m:.4f}"
                notes.append(f"Retrieval {n}: Embeval {fig(r['recall_at_k'], r['map_at_r'])}; numpy "
                             f"{fig(pn['recall'], pn['map_at_r'])}; faiss {fig(pf['recall'], pf['map_at_r'])} (percent)")
        results["cases"]["retrieval"] = case

    # ---- 6. explore: t-SNE / UMAP / PCA maps of the same PCA-50 input
    sizes = (["10k"] if want("explore") else []) + (["70k"] if os.environ.get("BENCH_LARGE") == "1" else [])
    for size in sizes:
        rounds = max(1, int(os.environ.get("BENCH_EXPLORE_ROUNDS", "1")))
        x_path = os.path.join(OUT, "explore", f"fmnist-{size}.npy")
        labels_path = os.path.join(OUT, "explore", f"fmnist-{size}_labels.npy")
        number = "6" if size == "10k" else "7"
        log(f"case {number}: explore, Fashion-MNIST {size} (PCA-50, L2-normalised): PCA, UMAP, t-SNE ({rounds} round(s))")
        case = {}
        for method in ["pca", "umap", "tsne"]:
            e_runs, p_runs = [], []
            for i in range(rounds):
                quiet_check(f"case {number} {method} round {i + 1}")
                # One folder per method: explore replaces the maps it owns in its --out folder on every run.
                e_runs.append(embeval_explore(binary, x_path, labels_path, method,
                                              os.path.join(OUT, f"explore-{size}", f"embeval-{method}")))
                p_runs.append(peer("map", method, x_path, os.path.join(OUT, f"explore-{size}", f"peer-{method}.npy"),
                                   timeout=3600))
                log(f"  {method}: embeval {e_runs[-1].get('seconds', e_runs[-1].get('error'))} s, "
                    f"{p_runs[-1]['peer']} {p_runs[-1]['seconds']:.2f} s")
            case[method] = {"embeval": e_runs, "peer": p_runs,
                            "best": (best(e_runs, "seconds", False), best(p_runs, "seconds", False))}
        maps = [os.path.join(OUT, f"explore-{size}", f) for m in ["pca", "umap", "tsne"]
                for f in [os.path.join(f"embeval-{m}", f"{m}.npy"), f"peer-{m}.npy"]]
        trust = peer("trustworthiness", x_path, 5000, *maps)["trustworthiness"]
        for j, method in enumerate(["pca", "umap", "tsne"]):
            e, p = case[method].pop("best")
            case[method]["trustworthiness"] = {"embeval": trust[2 * j], "peer": trust[2 * j + 1],
                                               "embeval_own_report": e.get("trustworthiness")}
            label = {"pca": "PCA to 2", "umap": "UMAP", "tsne": f"t-SNE ({e.get('gradient', '?')})"}[method]
            rows.append(row(f"{number}{'abc'[j]} explore {size} F-MNIST PCA-50: {label}", ok(e, "seconds"), p["seconds"],
                            fmt_secs, False, 1.0, p["peer"] + ("" if method == "pca" else ", n_jobs=2"), (e, p)))
            d = trust[2 * j] - trust[2 * j + 1]
            notes.append(f"Explore {size} {label} trustworthiness (k=10, seeded 5,000-point subset): Embeval "
                         f"{trust[2 * j]:.4f}, {p['peer']} {trust[2 * j + 1]:.4f} (diff {d:+.4f}: "
                         f"{'within' if abs(d) <= 0.01 else 'OUTSIDE'} 0.01); Embeval whole command "
                         + ("n/a" if e.get("wall_seconds") is None else f"{e['wall_seconds']:.1f} s") + " wall")
        results["cases"][f"explore_{size}"] = case

    # ---- 14. the explore page at 1M points: open time and pan/zoom frame rate in headless Chromium (bench/page.py)
    if want("page"):
        log("case 14: explore page, 1M synthetic 2-D points, 10 labels: scripted pan/zoom in headless Chromium")
        quiet_check("case 14")
        p, wall = run([sys.executable, os.path.join(HERE, "page.py"), binary], timeout=3600)
        other = LAST_OTHER_LOAD[0]
        if p.returncode != 0:
            notes.append(f"Page 1M: failed: {error_text(p)}")
            results["cases"]["page"] = {"error": error_text(p)}
        else:
            page = json.loads(p.stdout.strip().splitlines()[-1])
            page["other_load_cores"] = other
            results["cases"]["page"] = page
            g, w = page["default"], page["webgl"]
            g["other_load_cores"] = other
            # No peer draws a million points in a page (TensorBoard's projector and FiftyOne cap their maps at
            # 5-50k): the "peer" column holds the 30 fps target, so the ratio is fps / 30.
            fps = lambda v: "n/a" if v is None else f"{v:.1f} fps"
            for tag, phase in (("a", "pan"), ("b", "zoom")):
                rows.append(row(f"14{tag} explore page 1M points: {phase} fps (median; {g['renderer']} renderer, CPU)",
                                g[phase]["fpsMedian"], 30.0, fps, True, 1.0, "30 fps target (no peer)", (g,)))
            phase_text = lambda f: (f"median frame {f['medianFrameMs']:.1f} ms ({f['fpsMedian']:.1f} fps), 95th percentile "
                                    f"{f['p95FrameMs']:.1f} ms ({f['fps5thPercentile']:.1f} fps), drawing {f['medianDrawMs']:.1f} ms, "
                                    f"{f['frames']} frames")
            notes.append(f"Page 1M ({page['points']:,} points, 10 labels): HTML {page['html_bytes']:,} bytes, data folder "
                         f"{page['folder_bytes']:,} bytes; the browser's own frame interval with nothing drawn: median "
                         f"{g['idle']['medianFrameMs']:.1f} ms; {g['renderer']} renderer (no GPU here): pan {phase_text(g['pan'])}; "
                         f"zoom {phase_text(g['zoom'])}; first frame {g['openMs'] / 1000:.2f} s after navigation; WebGL "
                         f"forced (SwiftShader, CPU): pan median frame {w['pan']['medianFrameMs']:.0f} ms, zoom "
                         f"{w['zoom']['medianFrameMs']:.0f} ms; hit-test grid built in {g['indexBuildMs']:.0f} ms, "
                         f"{g['pickMicroseconds']:.1f} us per pick; explore wrote the page in "
                         f"{page['explore_wall_seconds']:.1f} s wall; other load {other} cores, load average "
                         f"{g.get('loadavg_1min_before_after')}")

    # ---- 8. WebDataset read throughput: shards read and decoded (embed -m pixels) vs webdataset + Pillow
    if want("webdataset"):
        wds_dir = os.path.join(OUT, "wds")
        log("case 8: WebDataset shards read and decoded, embed -m pixels vs webdataset + Pillow (3 rounds, interleaved)")
        inputs = [("8a", "10k F-MNIST lossless-WebP shards (28x28)", os.path.join(wds_dir, "fmnist-webp", "test"), 0),
                  ("8b", "10k F-MNIST PNG shards (28x28)", os.path.join(wds_dir, "fmnist-png", "test"), 0),
                  ("8c", "1,000 JPEG photos in shards (300-640 px), resized to 64x64", os.path.join(wds_dir, "photos"), 64)]
        case = {}
        for label, what, folder, size in inputs:
            e_runs, p_runs, p1_runs = [], [], []
            extra = ["--image-size", str(size)] if size else []
            for i in range(3):
                quiet_check(f"case {label} round {i + 1}")
                e_runs.append(embeval_embed(binary, "pixels", folder, os.path.join(OUT, "emb-wds"), extra=extra))
                p_runs.append(peer("wds-read", folder, THREADS, size, 1))
                p1_runs.append(peer("wds-read", folder, 1, size, 1))
                log(f"  {label}: embeval {e_runs[-1].get('images_per_s', e_runs[-1].get('error'))} images/s, "
                    f"webdataset+Pillow {p_runs[-1]['images_per_s']:.0f} (2 processes), {p1_runs[-1]['images_per_s']:.0f} (1)")
            e, p2, p1 = best(e_runs, "images_per_s", True), best(p_runs, "images_per_s", True), best(p1_runs, "images_per_s", True)
            case[label] = {"input": what, "embeval": e_runs, "peer_2_processes": p_runs, "peer_1_process": p1_runs}
            rows += [
                row(f"{label} WebDataset read: {what}", ok(e, "images_per_s"), p2["images_per_s"], fmt_rate, True, 1.0,
                    f"{p2['peer']}, 2 processes", (e, p2)),
                row(f"{label[:2]}w   same, Embeval whole command (wall)", ok(e, "wall_images_per_s"), p2["images_per_s"],
                    fmt_rate, True, None, "as above", (e, p2)),
                row(f"{label[:2]}s   same, peer in 1 process", ok(e, "images_per_s"), p1["images_per_s"], fmt_rate, True,
                    None, f"{p1['peer']}, 1 process", (e, p1)),
            ]
        results["cases"]["webdataset"] = case

    # ---- table
    results["rows"] = rows
    results["notes"] = notes
    results["environment"]["loadavg_end"] = loadavg()
    results["environment"]["other_load_before_rounds"] = BUSY
    results["seconds_total"] = time.perf_counter() - started
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump(results, f, indent=2)

    print()
    print(f"Embeval bench — {env_info['cpu']}, {env_info['cores']} cores; {THREADS} threads on both sides "
          f"(ORT intra-op = {THREADS}, faiss/OpenBLAS = {THREADS}); batch {BATCH}; best of the rounds")
    if want("knn"):
        print(f"BLAS: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for Embeval and the Python peers. Embeval's OpenBLAS "
              f"runs {binary_kernel}, numpy's {sgemm['blas'][0].get('kernel')}; faiss's bundled OpenBLAS picks "
              f"{faiss_default} by itself" + (f", so row 3 forces OPENBLAS_CORETYPE={faiss_env['OPENBLAS_CORETYPE']} "
                                              f"for it ({faiss_matched}, row 3c: its own choice)."
                                              if faiss_env.get("OPENBLAS_CORETYPE") else "."))
    if want("embed") and demo_is_fallback:
        print("Case 2: tools/demo_model/fashion-vit/ is not there yet: a tiny ViT of the same shape "
              "(28x28, patch 4, d=64, 4 layers) exported by bench/prepare.py stands in.")
    busiest = max((b["busy_cores"] or 0 for b in BUSY), default=0)
    print(f"Other load: load average {env_info['loadavg_start']} at start, {results['environment']['loadavg_end']} at end; "
          f"busiest check before a round: {busiest} of {os.cpu_count()} cores busy"
          + ("; rows marked * had no quiet round (see results.json)." if any(r["noisy"] for r in rows)
             else "; every reported measurement ran with the machine otherwise quiet."))
    print()
    print_table(rows)
    if any(r["noisy"] for r in rows):
        print(f"* other processes kept > {NOISY} core busy during the measurement (no quiet round of it): not clean")
    print()
    if want("embed") or want("knn"):
        for r in ([emb, demo_emb, x5_emb, x5_t1] if want("embed") else []) + ([knn] if want("knn") else []):
            if "error" in r:
                print(f"Embeval error: {r['error']}")
    if want("knn"):
        print(f"kNN top-1: Embeval {fmt_pct(knn.get('top1'))}, faiss+numpy {fmt_pct(fa['top1'])}"
              f"{'' if knn.get('top1') is None else (' (same)' if abs(knn['top1'] - fa['top1']) < 1e-9 else ' (DIFFERENT)')}")
        print(f"sgemm: numpy float32 4096x4096x384 {sgemm['gflops']:.1f} GFLOP/s; Embeval kNN implies "
              + ("n/a" if knn_gflops is None else f"{knn_gflops:.1f} GFLOP/s ({knn_gflops / sgemm['gflops']:.0%} of it)")
              + f"; faiss search {faiss_gflops:.1f} GFLOP/s (2*10k*60k*384 = {flop / 1e9:.0f} GFLOP)")
    if want("embed"):
        for name, key in [("ViT-S/16", "vit_s16"), ("demo", "demo")]:
            a = results["cases"][key]["embeval_vs_hf_cls"]
            if a and "error" in a:
                print(f"{name} CLS embeddings, Embeval vs HF processor + ORT: {a['error']}")
            elif a:
                print(f"{name} CLS embeddings, Embeval vs HF processor + ORT: mean cosine {a['mean_cosine']:.4f}, "
                      f"min {a['min_cosine']:.4f}, max |diff| {a['max_abs_diff']:.3g}")
        print(f"HF processor: {hf['processor']} (transformers 5, backend='pil': the Pillow one)")
    for n in notes:
        print(n)
    print(f"Results and every round's numbers: {rel(os.path.join(OUT, 'results.json'))} "
          f"({results['seconds_total']:.0f} s in all)")


def fmt_pct(x):
    return "n/a" if x is None else f"{100 * x:.2f}%"


def binary_libjpeg(binary):
    """The libjpeg the binary loads, and the Debian package's version when dpkg knows the file."""
    p, _ = run(["ldd", binary])
    for line in p.stdout.splitlines():
        if "libjpeg" in line and "=>" in line:
            path = os.path.realpath(line.split("=>")[1].split("(")[0].strip())
            q = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True)
            package = q.stdout.split(":")[0].strip() if q.returncode == 0 else None
            if package:
                v = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True)
                return f"{os.path.basename(path)} ({package} {v.stdout.strip()})"
            return os.path.basename(path)
    return None


def draft_effect(exact_dir, draft_dir):
    """Cosine per image between --jpeg-draft and exact embeddings, and a leave-one-out 1-NN top-1 (cosine) on each."""
    try:
        a, b = (np.load(os.path.join(d, "embeddings.npy")).astype(np.float64) for d in (exact_dir, draft_dir))
        labels = np.load(os.path.join(exact_dir, "labels.npy"))
    except OSError as e:
        return {"error": str(e)}
    unit = lambda x: x / (np.linalg.norm(x, axis=1, keepdims=True) + 1e-12)
    a, b = unit(a), unit(b)
    cos = (a * b).sum(1)

    def nearest(x):
        s = x @ x.T
        np.fill_diagonal(s, -np.inf)
        return s.argmax(1)
    na, nb = nearest(a), nearest(b)
    return {"images": len(a), "classes": int(len(set(labels.tolist()))), "mean_cosine": float(cos.mean()),
            "min_cosine": float(cos.min()), "top1_exact": float((labels[na] == labels).mean()),
            "top1_draft": float((labels[nb] == labels).mean()), "nn_label_changed": int((labels[na] != labels[nb]).sum())}


def compare_embeddings(ours_path, theirs_path):
    if not (os.path.exists(ours_path) and os.path.exists(theirs_path)):
        return None
    a, b = np.load(ours_path).astype(np.float64), np.load(theirs_path).astype(np.float64)
    if a.shape != b.shape:
        return {"error": f"shapes differ: {a.shape} vs {b.shape}"}
    cos = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1) + 1e-12)
    return {"mean_cosine": float(cos.mean()), "min_cosine": float(cos.min()), "max_abs_diff": float(np.abs(a - b).max())}


if __name__ == "__main__":
    main()
