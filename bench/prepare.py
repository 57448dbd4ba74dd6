"""Generates the benchmark inputs under bench/out/ (cached: each step is skipped when its output exists).

  vit-s16/     ViT-S/16-shaped random-weight model, optimum-style export (model.onnx, config.json, preprocessor_config.json)
  tiny-vit28/  a tiny 28x28 ViT, same layout: the fallback when tools/demo_model/fashion-vit/ is missing
  photos/      ~200 JPEGs, one class per source photo, cut from the photos that scikit-learn and scikit-image ship
  photos-x5/   the same JPEGs five times over (symlinks): 1,000 images, for steady-state rates
  knn/         10k test x 60k train float32 embeddings (d=384, 10 classes) and int64 labels, as .npy
  linear/      the first 6,000 rows of knn/train.npy and their labels (train-6k*.npy): the linear probe's full C sweep
  zeroshot/    1,000 class names (CIFAR-100 names x 10 adjectives), 8 prompt templates, the 10 Fashion-MNIST names
  fmnist-png/  Fashion-MNIST test as 10,000 PNGs in class folders 0..9 (for the end-to-end zero-shot case)
  parquet/     Fashion-MNIST train as one parquet file of 60,000 PNGs written by `datasets` (the parquet read case)
  wds/         WebDataset shards (webdataset's ShardWriter, CLIP_benchmark's keys and .cls labels): Fashion-MNIST test
               as lossless WebP (fmnist-webp/test/{0..9}.tar) and as PNG (fmnist-png/test/{0..9}.tar), 1,000 a
               shard; the 1,000 photos-x5 JPEGs as they are (photos/{0..4}.tar, 200 a shard)
  search/      a 100k x 384 index as `embed` writes a set (embeddings.npy, ids.txt, labels.npy; the kNN generator's
               classes) and 1,000 query rows drawn the same way (queries.npy)
  explore/     Fashion-MNIST pixels /255 -> PCA 50 -> L2-normalised rows, float32: test (10k) and train+test (70k)
"""
import json
import os
import sys
import warnings

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")


def log(msg):
    print(f"prepare: {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- models

def export_vit(directory, *, hidden, layers, heads, intermediate, image_size, patch, channels=3, seed=0):
    """A seeded random-weight transformers ViTModel exported as <directory>/model.onnx with a dynamic batch axis."""
    if os.path.exists(os.path.join(directory, "model.onnx")):
        return
    import torch
    from transformers import ViTConfig, ViTModel
    from transformers.models.vit import ViTImageProcessorPil

    log(f"exporting {os.path.basename(directory)} ({layers} layers, d={hidden}, {image_size}x{image_size}/{patch})")
    torch.manual_seed(seed)
    config = ViTConfig(hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=heads,
                       intermediate_size=intermediate, image_size=image_size, patch_size=patch,
                       num_channels=channels)
    model = ViTModel(config).eval()
    os.makedirs(directory, exist_ok=True)
    example = torch.randn(2, channels, image_size, image_size)
    with torch.no_grad():
        names = ["last_hidden_state"] + (["pooler_output"] if model(example).pooler_output is not None else [])
    tmp = os.path.join(directory, "model.onnx.tmp")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (example,), tmp, input_names=["pixel_values"], output_names=names,
                          dynamic_axes={"pixel_values": {0: "batch_size"}, **{n: {0: "batch_size"} for n in names}},
                          opset_version=17, dynamo=False)
    config.save_pretrained(directory)
    processor = ViTImageProcessorPil(do_resize=True, size={"height": image_size, "width": image_size},
                                     resample=2, do_rescale=True, rescale_factor=1 / 255, do_normalize=True,
                                     image_mean=[0.5] * 3, image_std=[0.5] * 3)
    processor.save_pretrained(directory)
    # optimum writes the processor as "ViTImageProcessor"; keep that name so any loader recognises it.
    path = os.path.join(directory, "preprocessor_config.json")
    with open(path) as f:
        pc = json.load(f)
    pc["image_processor_type"] = "ViTImageProcessor"
    with open(path, "w") as f:
        json.dump(pc, f, indent=2)
    os.replace(tmp, os.path.join(directory, "model.onnx"))


# ---------------------------------------------------------------- photos

def source_photos():
    """(name, HxWx3 uint8) for each real photo shipped inside the installed PyPI packages (no download)."""
    out = []
    from sklearn.datasets import load_sample_images
    sk = load_sample_images()
    for name, img in zip(sk.filenames, sk.images):
        out.append((os.path.splitext(os.path.basename(name))[0], img))
    import skimage.data as data
    for name in ["astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field", "immunohistochemistry"]:
        try:
            img = getattr(data, name)()
        except Exception as e:  # a photo that would need a download: left out
            log(f"skimage.data.{name} unavailable ({type(e).__name__}); skipped")
            continue
        if img.ndim == 2:
            img = np.stack([img] * 3, axis=-1)
        out.append((name, np.ascontiguousarray(img[..., :3]).astype(np.uint8)))
    return out


def make_photos(directory, total=200, seed=0):
    marker = os.path.join(directory, ".done")
    if os.path.exists(marker):
        return
    from PIL import Image
    rng = np.random.default_rng(seed)
    sources = source_photos()
    per_class = -(-total // len(sources))
    log(f"writing {per_class * len(sources)} JPEGs from {len(sources)} photos ({', '.join(n for n, _ in sources)})")
    for name, pixels in sources:
        img = Image.fromarray(pixels)
        w, h = img.size
        cls_dir = os.path.join(directory, name)
        os.makedirs(cls_dir, exist_ok=True)
        for i in range(per_class):
            # random crop: 35-100% of each side, then resize so the longer side is 300-640 px
            cw, ch = int(w * rng.uniform(0.35, 1.0)), int(h * rng.uniform(0.35, 1.0))
            x, y = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
            crop = img.crop((x, y, x + cw, y + ch))
            longer = int(rng.integers(300, 641))
            scale = longer / max(cw, ch)
            size = (max(32, round(cw * scale)), max(32, round(ch * scale)))
            crop = crop.resize(size, Image.BICUBIC)
            if rng.random() < 0.5:
                crop = crop.transpose(Image.FLIP_LEFT_RIGHT)
            crop.save(os.path.join(cls_dir, f"{i:03d}.jpg"), quality=90)
    open(marker, "w").close()


def make_photos_x5(directory, photos, copies=5):
    """The same photos `copies` times over (relative symlinks), for steady-state rates of fast pipelines."""
    marker = os.path.join(directory, ".done")
    if os.path.exists(marker):
        return
    for cls in sorted(os.listdir(photos)):
        if not os.path.isdir(os.path.join(photos, cls)):
            continue
        os.makedirs(os.path.join(directory, cls), exist_ok=True)
        for f in sorted(os.listdir(os.path.join(photos, cls))):
            for c in range(copies):
                dst = os.path.join(directory, cls, f"{c}_{f}")
                if not os.path.lexists(dst):
                    os.symlink(os.path.join("..", "..", os.path.basename(photos), cls, f), dst)
    open(marker, "w").close()


# ---------------------------------------------------------------- kNN embeddings

def make_knn(directory, n_test=10_000, n_train=60_000, dim=384, classes=10, sigma=6.0, seed=0):
    marker = os.path.join(directory, ".done")
    if os.path.exists(marker):
        return
    log(f"writing kNN embeddings: {n_test} test, {n_train} train, d={dim}, {classes} classes")
    os.makedirs(directory, exist_ok=True)
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((classes, dim)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    offset = rng.standard_normal((1, dim)).astype(np.float32) * (0.5 / np.sqrt(dim))  # shared, as real embeddings have
    for name, n in [("test", n_test), ("train", n_train)]:
        labels = rng.integers(0, classes, n).astype(np.int64)
        # a unit class direction plus isotropic noise of norm ~sigma: top-1 of the k=20 vote is about 80%, not 100%
        x = centres[labels] + rng.standard_normal((n, dim)).astype(np.float32) * (sigma / np.sqrt(dim)) + offset
        np.save(os.path.join(directory, f"{name}.npy"), x.astype(np.float32))
        np.save(os.path.join(directory, f"{name}_labels.npy"), labels)
    open(marker, "w").close()


def make_search(directory, n_index=100_000, n_queries=1_000, dim=384, classes=10, sigma=6.0, seed=1):
    """The search case's index and queries: class directions plus noise, as make_knn's rows."""
    marker = os.path.join(directory, ".done")
    if os.path.exists(marker):
        return
    log(f"writing the search index: {n_index} x {dim}, {n_queries} queries")
    os.makedirs(directory, exist_ok=True)
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((classes, dim)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    for name, n in [("index", n_index), ("queries", n_queries)]:
        labels = rng.integers(0, classes, n).astype(np.int64)
        x = (centres[labels] + rng.standard_normal((n, dim)).astype(np.float32) * (sigma / np.sqrt(dim))).astype(np.float32)
        if name == "index":
            np.save(os.path.join(directory, "embeddings.npy"), x)
            np.save(os.path.join(directory, "labels.npy"), labels)
            with open(os.path.join(directory, "ids.txt"), "w") as f:
                f.write("".join(f"img/{i:06d}.jpg\n" for i in range(n)))
        else:
            os.makedirs(os.path.join(directory, "queries"), exist_ok=True)
            np.save(os.path.join(directory, "queries", "queries.npy"), x)
    open(marker, "w").close()


def make_linear(directory, knn_dir, rows=6_000):
    """The first `rows` rows of the kNN train set (its rows are i.i.d., so this is a random subset): the linear
    probe's 45-C sweep runs on it, scikit-learn's sweep on all 60k rows would take ~20 minutes a round."""
    marker = os.path.join(directory, ".done")
    if os.path.exists(marker):
        return
    os.makedirs(directory, exist_ok=True)
    x, y = np.load(os.path.join(knn_dir, "train.npy")), np.load(os.path.join(knn_dir, "train_labels.npy"))
    np.save(os.path.join(directory, f"train-{rows // 1000}k.npy"), np.ascontiguousarray(x[:rows]))
    np.save(os.path.join(directory, f"train-{rows // 1000}k_labels.npy"), np.ascontiguousarray(y[:rows]))
    open(marker, "w").close()


# ---------------------------------------------------------------- zero-shot and explore inputs

FASHION_MNIST = "/usr/share/datasets/fashion-mnist"
FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                   "Ankle boot"]
CIFAR100 = """apple aquarium_fish baby bear beaver bed bee beetle bicycle bottle bowl boy bridge bus butterfly camel can
castle caterpillar cattle chair chimpanzee clock cloud cockroach couch crab crocodile cup dinosaur dolphin elephant
flatfish forest fox girl hamster house kangaroo keyboard lamp lawn_mower leopard lion lizard lobster man maple_tree
motorcycle mountain mouse mushroom oak_tree orange orchid otter palm_tree pear pickup_truck pine_tree plain plate
poppy porcupine possum rabbit raccoon ray road rocket rose sea seal shark shrew skunk skyscraper snail snake spider
squirrel streetcar sunflower sweet_pepper table tank telephone television tiger tractor train trout tulip turtle
wardrobe whale willow_tree wolf woman worm""".split()
ADJECTIVES = ["small", "large", "red", "old", "young", "wet", "striped", "wooden", "bright", "dark"]
TEMPLATES = ["a photo of a {}.", "a {}.", "this is a photo of {}.", "a picture of a {}.", "{}",
             "a black and white photo of a {}.", "a photo of the {}.", "an image of a {}."]


def fashion_mnist(split):
    """(N x 28 x 28 uint8, N int64) from Debian's dataset-fashion-mnist IDX files (what Embeval reads)."""
    import gzip
    prefix = {"train": "train", "test": "t10k"}[split]
    with gzip.open(os.path.join(FASHION_MNIST, f"{prefix}-images-idx3-ubyte.gz")) as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
    with gzip.open(os.path.join(FASHION_MNIST, f"{prefix}-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64)
    return images, labels


def make_zeroshot(directory):
    marker = os.path.join(directory, ".done")
    if os.path.exists(marker):
        return
    os.makedirs(directory, exist_ok=True)
    names = [f"{a} {c.replace('_', ' ')}" for c in CIFAR100 for a in ADJECTIVES]  # 1,000 distinct names
    assert len(set(names)) == 1000
    for fname, lines in [("classnames-1000.txt", names), ("templates-8.txt", TEMPLATES),
                         ("classnames-fashion.txt", FASHION_CLASSES)]:
        with open(os.path.join(directory, fname), "w") as f:
            f.write("\n".join(lines) + "\n")
    open(marker, "w").close()


def make_fmnist_png(directory):
    marker = os.path.join(directory, ".done")
    if os.path.exists(marker):
        return
    from PIL import Image
    images, labels = fashion_mnist("test")
    log(f"writing Fashion-MNIST test as {len(images)} PNGs")
    for c in range(10):
        os.makedirs(os.path.join(directory, str(c)), exist_ok=True)
    for i, (img, lab) in enumerate(zip(images, labels)):
        Image.fromarray(img, mode="L").save(os.path.join(directory, str(lab), f"{i:05d}.png"))
    open(marker, "w").close()


def make_parquet(directory):
    """Fashion-MNIST train (60,000 images) as one parquet file the way `datasets` writes it (Image + ClassLabel
    features, PNG bytes, `Dataset.to_parquet`), for the parquet read case."""
    marker = os.path.join(directory, ".done")
    if os.path.exists(marker):
        return
    import datasets
    from PIL import Image
    os.makedirs(directory, exist_ok=True)
    images, labels = fashion_mnist("train")
    log(f"writing Fashion-MNIST train as one parquet file of {len(images)} PNGs (datasets {datasets.__version__})")
    names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    features = datasets.Features({"image": datasets.Image(), "label": datasets.ClassLabel(names=names)})
    ds = datasets.Dataset.from_dict({"image": [Image.fromarray(a) for a in images], "label": labels.tolist()}, features=features)
    ds.to_parquet(os.path.join(directory, "fmnist-train.parquet"))
    open(marker, "w").close()


def make_wds(directory):
    """WebDataset shards for the read-throughput case, written as CLIP_benchmark writes them (key s%07d, image, cls)."""
    marker = os.path.join(directory, ".done")
    if os.path.exists(marker):
        return
    import io
    import webdataset as wds
    from PIL import Image
    images, labels = fashion_mnist("test")
    for fmt, options in [("webp", dict(format="webp", lossless=True)), ("png", dict(format="png"))]:
        folder = os.path.join(directory, f"fmnist-{fmt}", "test")
        os.makedirs(folder, exist_ok=True)
        log(f"writing Fashion-MNIST test as {len(images)} {fmt.upper()} images in WebDataset shards")
        with wds.ShardWriter(os.path.join(folder, "%d.tar"), maxcount=1000, verbose=0, mtime=0) as sink:
            for i, (img, lab) in enumerate(zip(images, labels)):
                out = io.BytesIO()
                Image.fromarray(img, mode="L").save(out, **options)
                sink.write({"__key__": "s%07d" % i, fmt: out.getvalue(), "cls": int(lab)})
    photos = os.path.join(OUT, "photos-x5")
    files = sorted((c, f) for c in sorted(os.listdir(photos)) if os.path.isdir(os.path.join(photos, c))
                   for f in sorted(os.listdir(os.path.join(photos, c))))
    classes = sorted({c for c, _ in files})
    folder = os.path.join(directory, "photos")
    os.makedirs(folder, exist_ok=True)
    log(f"writing the {len(files)} photos-x5 JPEGs in WebDataset shards")
    with wds.ShardWriter(os.path.join(folder, "%d.tar"), maxcount=200, verbose=0, mtime=0) as sink:
        for i, (c, f) in enumerate(files):
            with open(os.path.join(photos, c, f), "rb") as fh:
                sink.write({"__key__": "s%07d" % i, "jpg": fh.read(), "cls": classes.index(c)})
    open(marker, "w").close()


def make_explore(directory):
    """The same PCA-50 input for Embeval's explore and the Python peers: pixels /255, sklearn PCA(50) fitted on the
    set itself, rows L2-normalised (Embeval's explore normalises rows first; on normalised 50-wide input it skips its
    own PCA, so both sides map exactly this matrix)."""
    marker = os.path.join(directory, ".done")
    if os.path.exists(marker):
        return
    from sklearn.decomposition import PCA
    os.makedirs(directory, exist_ok=True)
    test, test_labels = fashion_mnist("test")
    train, train_labels = fashion_mnist("train")
    for name, images, labels in [("fmnist-10k", test, test_labels),
                                 ("fmnist-70k", np.concatenate([train, test]), np.concatenate([train_labels, test_labels]))]:
        log(f"explore input {name}: PCA 50 of {len(images)} x 784 pixels")
        x = images.reshape(len(images), -1).astype(np.float64) / 255.0
        z = PCA(n_components=50, random_state=0).fit_transform(x)
        z /= np.linalg.norm(z, axis=1, keepdims=True)
        np.save(os.path.join(directory, f"{name}.npy"), z.astype(np.float32))
        np.save(os.path.join(directory, f"{name}_labels.npy"), labels)
    open(marker, "w").close()


STEPS = ["models", "photos", "knn", "search", "linear", "zeroshot", "fmnist-png", "wds", "explore", "parquet"]


def main():
    """BENCH_PREPARE=photos,knn (comma-separated, default all) makes only those inputs: a partial run (BENCH_CASES)
    on a machine without the whole reference stack, e.g. BENCH_CASES=decode BENCH_PREPARE=photos needs only Pillow,
    scikit-learn and scikit-image."""
    chosen = [s.strip() for s in os.environ.get("BENCH_PREPARE", ",".join(STEPS)).split(",") if s.strip()]
    unknown = sorted(set(chosen) - set(STEPS))
    if unknown:
        raise SystemExit(f"prepare: unknown BENCH_PREPARE step(s) {', '.join(unknown)} (known: {', '.join(STEPS)})")
    os.makedirs(OUT, exist_ok=True)
    if "models" in chosen:
        export_vit(os.path.join(OUT, "vit-s16"), hidden=384, layers=12, heads=6, intermediate=1536, image_size=224, patch=16)
        # the fallback demo model: the same shape as tools/demo_model/fashion-vit (28x28, patch 4, d=64, 4 layers, 4 heads)
        export_vit(os.path.join(OUT, "tiny-vit28"), hidden=64, layers=4, heads=4, intermediate=128, image_size=28, patch=4)
    if "photos" in chosen:
        make_photos(os.path.join(OUT, "photos"))
        make_photos_x5(os.path.join(OUT, "photos-x5"), os.path.join(OUT, "photos"))
    steps = [("knn", lambda: make_knn(os.path.join(OUT, "knn"))),
             ("search", lambda: make_search(os.path.join(OUT, "search"))),
             ("linear", lambda: make_linear(os.path.join(OUT, "linear"), os.path.join(OUT, "knn"))),
             ("zeroshot", lambda: make_zeroshot(os.path.join(OUT, "zeroshot"))),
             ("fmnist-png", lambda: make_fmnist_png(os.path.join(OUT, "fmnist-png"))),
             ("wds", lambda: make_wds(os.path.join(OUT, "wds"))),
             ("explore", lambda: make_explore(os.path.join(OUT, "explore"))),
             ("parquet", lambda: make_parquet(os.path.join(OUT, "parquet")))]
    for name, make in steps:
        if name in chosen:
            make()


if __name__ == "__main__":
    main()
