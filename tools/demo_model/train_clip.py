#!/usr/bin/env python3
"""Trains Embeval's demo two-tower (CLIP-format) model on Fashion-MNIST image/caption pairs (CPU, 1 thread, seeded)
and exports it as split optimum-style ONNX towers to tools/demo_model/fashion-clip/{image-encoder,text-encoder}/.

  python3 tools/demo_model/train_clip.py                       # full recipe (~5 min of training on one CPU core)
  python3 tools/demo_model/train_clip.py --epochs 1 --subset 4000 --out /tmp/fc   # quick smoke run

Model: transformers CLIPModel (vision: image 28, patch 7, hidden 64, 4 layers; text: hidden 64, 2 layers, the real
CLIP BPE truncated to its first 2000 merges, tools/fixtures/clip_bpe.py; projection 64).
Captions: a Fashion-MNIST class name put into one of several templates (random per image and step).
Loss: CLIP's symmetric contrastive loss over the batch's image/caption pairs; because a batch holds many images of
the same class, a caption counts as a positive for every image of its class (targets spread uniformly over the
positives, as in UniCL), otherwise plain CLIP InfoNCE with the learnable logit scale.
Image inputs are exactly what the exported preprocessor_config.json declares (CLIPImageProcessor: shortest edge 28,
centre crop 28 -- both no-ops on 28x28 --, rescale 1/255, normalise mean = std = 0.5, grayscale replicated to RGB);
augmentation: random horizontal flip and +-2 px shifts.
Evaluation: zero-shot on the 10k TEST split with "This is a photo of {}." through onnxruntime + numpy (cosine argmax).
The classes are the training classes, so this measures the pipeline end to end, not transfer to unseen classes.
"""
import argparse
import gzip
import json
import math
import platform
import shutil
import struct
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
import transformers
from PIL import Image
from transformers import (
    AutoImageProcessor,
    AutoTokenizer,
    CLIPConfig,
    CLIPImageProcessorPil,
    CLIPModel,
    CLIPTextModelWithProjection,
    CLIPVisionModelWithProjection,
)

warnings.filterwarnings("ignore")
transformers.logging.set_verbosity_error()

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "fixtures"))
from clip_bpe import make_clip_tokenizer  # noqa: E402

DATA = Path("/usr/share/datasets/fashion-mnist")
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
TRAIN_TEMPLATES = ["a photo of a {}.", "a {}.", "this is a photo of {}.", "a picture of a {}.", "{}",
                   "a black and white photo of a {}.", "a photo of the {}.", "an image of a {}."]
EVAL_TEMPLATE = "This is a photo of {}."
NUM_MERGES = 2000


def read_idx(path):
    """Minimal IDX reader (gzip): returns a numpy array with the file's dtype/shape."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    assert zero == 0, path
    dtypes = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
    shape = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=dtypes[dtype_code], offset=4 + 4 * ndim).reshape(shape)


def load_split(split):
    prefix = "train" if split == "train" else "t10k"
    x = read_idx(DATA / f"{prefix}-images-idx3-ubyte.gz")
    y = read_idx(DATA / f"{prefix}-labels-idx1-ubyte.gz").astype(np.int64)
    return x, y


def preprocess(x_uint8):
    """uint8 [N,28,28] -> float32 [N,3,28,28]: rescale 1/255, normalise (x-0.5)/0.5, gray -> RGB."""
    x = x_uint8.astype(np.float32) * np.float32(1 / 255)
    x = (x - np.float32(0.5)) / np.float32(0.5)
    return np.repeat(x[:, None, :, :], 3, axis=1)


def make_processor():
    return CLIPImageProcessorPil(
        do_resize=True, size={"shortest_edge": 28}, resample=3,
        do_center_crop=True, crop_size={"height": 28, "width": 28},
        do_rescale=True, rescale_factor=1 / 255,
        do_normalize=True, image_mean=[0.5, 0.5, 0.5], image_std=[0.5, 0.5, 0.5],
        do_convert_rgb=True,
    )


def augment(xb, rng):
    """xb float32 [B,3,28,28] (normalised; background = -1). Random h-flip and +-2 px translation."""
    b = xb.shape[0]
    flip = rng.random(b) < 0.5
    xb = xb.copy()
    xb[flip] = xb[flip][..., ::-1]
    padded = np.full((b, 3, 32, 32), -1.0, dtype=np.float32)
    padded[:, :, 2:30, 2:30] = xb
    dy, dx = rng.integers(0, 5, b), rng.integers(0, 5, b)
    out = np.empty_like(xb)
    for i in range(b):
        out[i] = padded[i, :, dy[i]:dy[i] + 28, dx[i]:dx[i] + 28]
    return out


class ImageTower(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, pixel_values):
        out = self.m(pixel_values=pixel_values)
        return out.image_embeds, out.last_hidden_state


class TextTower(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids, attention_mask):
        out = self.m(input_ids=input_ids, attention_mask=attention_mask)
        return out.text_embeds, out.last_hidden_state


def l2n(x):
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--vision-hidden", type=int, default=64)
    ap.add_argument("--vision-layers", type=int, default=4)
    ap.add_argument("--out", type=Path, default=HERE / "fashion-clip")
    ap.add_argument("--subset", type=int, default=0, help="smoke test: use only the first N train/test images")
    ap.add_argument("--max-train-s", type=float, default=480.0, help="stop training after this many seconds")
    args = ap.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    log_lines = []

    def log(msg):
        print(msg, flush=True)
        log_lines.append(msg)

    xtr_u8, ytr = load_split("train")
    xte_u8, yte = load_split("test")
    if args.subset:
        xtr_u8, ytr, xte_u8, yte = xtr_u8[:args.subset], ytr[:args.subset], xte_u8[:args.subset], yte[:args.subset]
    xtr = preprocess(xtr_u8)
    log(f"train {xtr.shape} test {xte_u8.shape}")

    tok, tok_info = make_clip_tokenizer(NUM_MERGES)
    # Captions: every (template, class) pair, tokenised once, padded to the longest caption (as padding=True does).
    caps = [[t.format(c) for c in CLASSES] for t in TRAIN_TEMPLATES]
    enc = tok([s for row in caps for s in row], padding=True, return_tensors="pt")
    cap_ids = enc["input_ids"].view(len(TRAIN_TEMPLATES), len(CLASSES), -1)
    cap_mask = enc["attention_mask"].view(len(TRAIN_TEMPLATES), len(CLASSES), -1)
    log(f"tokenizer: {tok_info['vocab_size']} tokens ({NUM_MERGES} merges); caption length {cap_ids.shape[-1]}")

    vh, th = args.vision_hidden, 64
    config = CLIPConfig(
        text_config=dict(vocab_size=tok_info["vocab_size"], hidden_size=th, intermediate_size=2 * th,
                         num_hidden_layers=2, num_attention_heads=4, max_position_embeddings=77,
                         bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id,
                         projection_dim=64),
        vision_config=dict(image_size=28, patch_size=7, num_channels=3, hidden_size=vh, intermediate_size=2 * vh,
                           num_hidden_layers=args.vision_layers, num_attention_heads=4, projection_dim=64),
        projection_dim=64,
    )
    model = CLIPModel(config)
    n_params = sum(p.numel() for p in model.parameters())
    log(f"CLIPModel params {n_params}")

    def is_decay(n, p):
        return p.ndim >= 2 and "position" not in n and "embedding" not in n and "logit_scale" not in n

    decay = [p for n, p in model.named_parameters() if is_decay(n, p)]
    no_decay = [p for n, p in model.named_parameters() if not is_decay(n, p)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.98))
    steps_per_epoch = len(xtr) // args.batch
    total = steps_per_epoch * args.epochs
    warmup = min(200, total // 10)

    def lr_at(step, elapsed):
        # Cosine over whichever runs out first, the planned steps or the time budget (the CPU is shared), so the
        # schedule always anneals to ~0 before training stops.
        if step < warmup:
            return args.lr * (step + 1) / warmup
        t = max((step - warmup) / max(1, total - warmup), elapsed / args.max_train_s)
        return args.lr * 0.5 * (1 + math.cos(math.pi * min(1.0, t)))

    t0 = time.time()
    step = 0
    stopped_early = False
    for epoch in range(args.epochs):
        model.train()
        perm = rng.permutation(len(xtr))
        run_loss, run_acc, n = 0.0, 0.0, 0
        for i in range(steps_per_epoch):
            if time.time() - t0 > args.max_train_s:
                stopped_early = True
                break
            idx = perm[i * args.batch:(i + 1) * args.batch]
            xb = torch.from_numpy(augment(xtr[idx], rng))
            yb = torch.from_numpy(ytr[idx])
            tb = torch.from_numpy(rng.integers(0, len(TRAIN_TEMPLATES), len(idx)))
            for g in opt.param_groups:
                g["lr"] = lr_at(step, time.time() - t0)
            out = model(input_ids=cap_ids[tb, yb], attention_mask=cap_mask[tb, yb], pixel_values=xb)
            logits = out.logits_per_image  # [B images, B captions], already scaled by exp(logit_scale)
            pos = (yb[:, None] == yb[None, :]).float()
            target = pos / pos.sum(1, keepdim=True)
            loss = 0.5 * (torch.sum(-target * torch.log_softmax(logits, 1), 1).mean()
                          + torch.sum(-target * torch.log_softmax(logits.t(), 1), 1).mean())
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            with torch.no_grad():
                model.logit_scale.clamp_(0, math.log(100))
                run_acc += pos[torch.arange(len(idx)), logits.argmax(1)].mean().item()
            run_loss += loss.item()
            n += 1
            step += 1
        log(f"epoch {epoch + 1}/{args.epochs} loss {run_loss / max(n, 1):.4f} in-batch i->t acc "
            f"{100 * run_acc / max(n, 1):.2f}% logit_scale {model.logit_scale.exp().item():.2f} "
            f"elapsed {time.time() - t0:.0f}s")
        if stopped_early:
            log(f"time budget {args.max_train_s:.0f}s reached after {step} steps")
            break
    train_time = time.time() - t0
    log(f"training time {train_time:.1f}s ({step} steps of {total} planned, batch {args.batch})")
    model.eval()

    # ---- export: split optimum-style towers ----
    out = args.out
    if out.exists():
        shutil.rmtree(out)
    img_dir, txt_dir = out / "image-encoder", out / "text-encoder"
    img_dir.mkdir(parents=True)
    txt_dir.mkdir(parents=True)
    sd = model.state_dict()
    vision = CLIPVisionModelWithProjection(config.vision_config).eval()
    vision.load_state_dict({k: v for k, v in sd.items() if k.startswith(("vision_model.", "visual_projection."))})
    text = CLIPTextModelWithProjection(config.text_config).eval()
    text.load_state_dict({k: v for k, v in sd.items() if k.startswith(("text_model.", "text_projection."))})
    vision.config.architectures = ["CLIPVisionModelWithProjection"]
    text.config.architectures = ["CLIPTextModelWithProjection"]
    vision.config.save_pretrained(img_dir)
    text.config.save_pretrained(txt_dir)
    make_processor().save_pretrained(img_dir)
    tok.save_pretrained(txt_dir)
    (txt_dir / "special_tokens_map.json").write_text(json.dumps(
        {"bos_token": tok.bos_token, "eos_token": tok.eos_token, "pad_token": tok.pad_token,
         "unk_token": tok.unk_token}, indent=2) + "\n")
    logit_scale = float(model.logit_scale.exp().item())

    torch.onnx.export(
        ImageTower(vision), (torch.zeros(1, 3, 28, 28),), str(img_dir / "model.onnx"),
        input_names=["pixel_values"], output_names=["image_embeds", "last_hidden_state"],
        dynamic_axes={"pixel_values": {0: "batch_size"}, "image_embeds": {0: "batch_size"},
                      "last_hidden_state": {0: "batch_size"}},
        opset_version=17, do_constant_folding=True, dynamo=False,
    )
    dummy = tok(["a photo of a bag.", "a sneaker."], padding=True, return_tensors="pt")
    torch.onnx.export(
        TextTower(text), (dummy["input_ids"], dummy["attention_mask"]), str(txt_dir / "model.onnx"),
        input_names=["input_ids", "attention_mask"], output_names=["text_embeds", "last_hidden_state"],
        dynamic_axes={"input_ids": {0: "batch_size", 1: "sequence_length"},
                      "attention_mask": {0: "batch_size", 1: "sequence_length"},
                      "text_embeds": {0: "batch_size"},
                      "last_hidden_state": {0: "batch_size", 1: "sequence_length"}},
        opset_version=17, do_constant_folding=True, dynamo=False,
    )
    for d in (img_dir, txt_dir):
        onnx.checker.check_model(onnx.load(str(d / "model.onnx")))
    sizes = {f"{d.name}/{p.name}": p.stat().st_size for d in (img_dir, txt_dir) for p in sorted(d.iterdir())}
    for d in (img_dir, txt_dir):
        dir_bytes = sum(p.stat().st_size for p in d.iterdir())
        assert dir_bytes <= 1_600_000, (d, dir_bytes)
    log(f"sizes {sizes}")

    # The saved processor (Pillow backend) reproduces the training inputs.
    proc = AutoImageProcessor.from_pretrained(str(img_dir), backend="pil")
    pil_imgs = [Image.fromarray(xte_u8[i], "L") for i in range(32)]
    pv = proc(images=pil_imgs, return_tensors="np")["pixel_values"]
    xte = preprocess(xte_u8)
    prep_diff = float(np.abs(pv - xte[:32]).max())
    assert prep_diff < 1e-5, prep_diff
    log(f"preprocessor ({type(proc).__name__}) vs training preprocessing: max |diff| {prep_diff:.2e}")
    tok2 = AutoTokenizer.from_pretrained(str(txt_dir))
    prompts = [EVAL_TEMPLATE.format(c) for c in CLASSES]
    penc = tok2(prompts, padding=True, return_tensors="np")
    assert (penc["input_ids"] == tok(prompts, padding=True, return_tensors="np")["input_ids"]).all()

    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    s_img = ort.InferenceSession(str(img_dir / "model.onnx"), so, providers=["CPUExecutionProvider"])
    s_txt = ort.InferenceSession(str(txt_dir / "model.onnx"), so, providers=["CPUExecutionProvider"])
    feeds = {"input_ids": penc["input_ids"].astype(np.int64), "attention_mask": penc["attention_mask"].astype(np.int64)}
    o_txt = s_txt.run(["text_embeds"], feeds)[0]
    with torch.no_grad():
        t_txt = text(**{k: torch.from_numpy(v) for k, v in feeds.items()}).text_embeds.numpy()
        t_img = vision(pixel_values=torch.from_numpy(xte[:64])).image_embeds.numpy()
    o_img64 = s_img.run(["image_embeds"], {"pixel_values": xte[:64]})[0]
    ort_diff = max(float(np.abs(o_txt - t_txt).max()), float(np.abs(o_img64 - t_img).max()))
    assert ort_diff <= 1e-4, ort_diff
    log(f"onnxruntime vs torch max |diff| {ort_diff:.2e}")

    t1 = time.time()
    img_emb = np.concatenate([s_img.run(["image_embeds"], {"pixel_values": xte[s:s + 256]})[0]
                              for s in range(0, len(xte), 256)])
    ort_time = time.time() - t1
    sims = l2n(img_emb.astype(np.float64)) @ l2n(o_txt.astype(np.float64)).T  # [N, 10] cosine
    top1 = 100.0 * float((sims.argmax(1) == yte).mean())
    top5_idx = np.argsort(-sims, axis=1)[:, :5]
    top5 = 100.0 * float((top5_idx == yte[:, None]).any(1).mean())
    per_class = {c: round(100.0 * float((sims.argmax(1)[yte == i] == i).mean()), 2) for i, c in enumerate(CLASSES)}
    log(f"zero-shot ({EVAL_TEMPLATE!r}) test top1 {top1:.2f}% top5 {top5:.2f}% ({len(xte)} images)")
    # Prompt ensemble over the training templates, for context.
    ens = []
    for t in TRAIN_TEMPLATES:
        e = tok2([t.format(c) for c in CLASSES], padding=True, return_tensors="np")
        ens.append(l2n(s_txt.run(["text_embeds"], {"input_ids": e["input_ids"].astype(np.int64),
                                                   "attention_mask": e["attention_mask"].astype(np.int64)})[0]))
    ens_w = l2n(np.mean(ens, axis=0).astype(np.float64))
    ens_top1 = 100.0 * float(((l2n(img_emb.astype(np.float64)) @ ens_w.T).argmax(1) == yte).mean())
    log(f"zero-shot, ensemble of the {len(TRAIN_TEMPLATES)} training templates: top1 {ens_top1:.2f}%")

    metrics = {
        "recipe": {
            "model": "transformers CLIPModel", "vision": {"image_size": 28, "patch_size": 7, "hidden_size": vh,
                                                          "layers": args.vision_layers, "heads": 4, "mlp": 2 * vh},
            "text": {"hidden_size": th, "layers": 2, "heads": 4, "mlp": 2 * th, "max_position_embeddings": 77,
                     "vocab_size": tok_info["vocab_size"]},
            "projection_dim": 64, "params": n_params,
            "tokenizer": tok_info,
            "captions": {"templates": TRAIN_TEMPLATES, "class_names": CLASSES,
                         "sampling": "one random template per image per step"},
            "loss": "symmetric CLIP contrastive loss, learnable logit scale (clamped <= 100); same-class captions "
                    "in the batch are all positives (targets uniform over them)",
            "epochs_planned": args.epochs, "steps": step, "batch": args.batch,
            "optimizer": "AdamW(betas 0.9/0.98, wd 0.05 on matrices)", "lr": args.lr,
            "schedule": f"linear warmup {warmup} steps, cosine to 0 over {total} steps or the {args.max_train_s:.0f} s time budget, whichever ends first",
            "augmentation": "random horizontal flip, random +-2 px translation (pad with background)",
            "seed": args.seed, "threads": 1, "subset": args.subset or None,
        },
        "training_time_s": round(train_time, 1),
        "stopped_by_time_budget": stopped_early,
        "logit_scale": logit_scale,
        "zero_shot": {"split": "test", "images": int(len(xte)), "template": EVAL_TEMPLATE, "class_names": CLASSES,
                      "top1": round(top1, 2), "top5": round(top5, 2), "per_class_top1": per_class,
                      "method": "onnxruntime image_embeds / text_embeds, L2-normalised, argmax cosine (numpy)",
                      "text_padding": "tokenizer(prompts, padding=True) -> input_ids, attention_mask (int64)"},
        "zero_shot_training_template_ensemble_top1": round(ens_top1, 2),
        "ort_image_throughput_img_per_s": round(len(xte) / ort_time, 1),
        "ort_vs_torch_max_abs_diff": ort_diff,
        "preprocessor_vs_training_max_abs_diff": prep_diff,
        "files_bytes": sizes,
        "versions": {"python": platform.python_version(), "torch": torch.__version__,
                     "transformers": transformers.__version__, "onnx": onnx.__version__,
                     "onnxruntime": ort.__version__, "numpy": np.__version__},
        "machine": platform.machine() + " " + platform.processor(),
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    (out / "train_log.txt").write_text("\n".join(log_lines) + "\n")
    write_card(out, metrics)


def write_card(out, m):
    r, z = m["recipe"], m["zero_shot"]
    v, t = r["vision"], r["text"]
    total_bytes = sum(m["files_bytes"].values())
    card = f"""# fashion-clip — Embeval's demo two-tower (zero-shot) model

A tiny CLIP-format model trained from scratch on Fashion-MNIST **training** images paired with captions made from
the 10 class names, exported as two ONNX towers in the layout `optimum` uses for split encoders.
Made by `tools/demo_model/train_clip.py` (seeded, CPU, 1 thread); rerun with `python3 tools/demo_model/train_clip.py`.

**What the numbers mean.** The zero-shot classes below are exactly the classes the model was trained on (with
similar caption templates), so this measures that Embeval's zero-shot pipeline — image preprocessing, tokenisation,
both ONNX towers, cosine scoring — is wired correctly end to end. It does **not** measure transfer to unseen classes
or any general-purpose ability; the model knows nothing but these 10 names.

## Interface

- `image-encoder/model.onnx` (CLIPVisionModelWithProjection): input `pixel_values` float32 `[batch_size, 3, 28, 28]`;
  outputs `image_embeds` float32 `[batch_size, 64]` and `last_hidden_state` `[batch_size, 17, {v['hidden_size']}]`.
  `preprocessor_config.json`: CLIPImageProcessor — convert to RGB (grayscale replicated), resize shortest edge 28
  (bicubic) and centre-crop 28×28 (both no-ops for Fashion-MNIST), rescale 1/255, normalise mean = std = 0.5.
- `text-encoder/model.onnx` (CLIPTextModelWithProjection): inputs `input_ids`, `attention_mask` int64
  `[batch_size, sequence_length]` (both axes dynamic, ≤ 77); outputs `text_embeds` float32 `[batch_size, 64]` and
  `last_hidden_state`. The text embedding is taken at the first `<|endoftext|>` token, so pad with `<|endoftext|>`
  (the pad token) after it. Tokenizer: `tokenizer.json` (CLIPTokenizer) = OpenAI CLIP's real byte-level BPE
  truncated to its first {r['tokenizer']['num_merges']} merges ({t['vocab_size']} tokens; `<|startoftext|>` = {r['tokenizer']['bos'][1]},
  `<|endoftext|>` = {r['tokenizer']['eos'][1]}); ids of the kept tokens equal the original CLIP ids.
- Score: cosine similarity of the L2-normalised embeddings; the trained logit scale is {m['logit_scale']:.2f}
  (softmax(scale · cosine) gives CLIP-style probabilities; it does not change the argmax).

## Recipe

- CLIPModel: vision image 28, patch 7 (4×4 patches + CLS), hidden {v['hidden_size']}, {v['layers']} layers, {v['heads']} heads,
  MLP {v['mlp']}; text hidden {t['hidden_size']}, {t['layers']} layers, {t['heads']} heads; projection 64;
  {r['params']:,} parameters. Files: {total_bytes:,} bytes in all.
- Captions: one of {len(r['captions']['templates'])} templates ({', '.join(repr(x) for x in r['captions']['templates'])}) filled with the class name,
  drawn at random per image and step.
- Loss: {r['loss']}.
- {r['steps']} steps, batch {r['batch']}, AdamW lr {r['lr']} ({r['optimizer']}), {r['schedule']}, gradient clipping 1.0;
  augmentation: {r['augmentation']}; seed {r['seed']}.
- Training time: {m['training_time_s']:.0f} s on one CPU thread ({m['machine'].strip()}).

## Results (Fashion-MNIST test split, {z['images']:,} images; onnxruntime + numpy)

| metric | value |
|---|---|
| zero-shot top-1, template `{z['template']}` | {z['top1']:.2f}% |
| zero-shot top-5, same | {z['top5']:.2f}% |
| zero-shot top-1, mean text embedding of the training templates | {m['zero_shot_training_template_ensemble_top1']:.2f}% |

Per-class top-1: {', '.join(f'{k} {v:.1f}%' for k, v in z['per_class_top1'].items())}.

Text inputs for the numbers above: the 10 prompts tokenised together with `padding=True` (as the Hugging Face
zero-shot-image-classification pipeline does for CLIP). ONNX vs PyTorch max |Δ| on the embeddings:
{m['ort_vs_torch_max_abs_diff']:.1e}; the saved preprocessor (Pillow backend) reproduces the training inputs to
{m['preprocessor_vs_training_max_abs_diff']:.1e}. All numbers: `metrics.json`; training log: `train_log.txt`.
"""
    (out / "README.md").write_text(card)


if __name__ == "__main__":
    main()
