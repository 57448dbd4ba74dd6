"""Writes tools/demo_model/fashion-vit-int8/: the demo ViT dynamically quantised to int8 weights with
onnxruntime.quantization (the candidate of README's `embeval compare` example)."""
import os
import shutil

from onnxruntime.quantization import QuantType, quantize_dynamic

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "fashion-vit")
TARGET = os.path.join(HERE, "fashion-vit-int8")

os.makedirs(TARGET, exist_ok=True)
quantize_dynamic(os.path.join(SOURCE, "model.onnx"), os.path.join(TARGET, "model.onnx"), weight_type=QuantType.QInt8)
for name in ("config.json", "preprocessor_config.json"):
    shutil.copyfile(os.path.join(SOURCE, name), os.path.join(TARGET, name))
print("wrote", TARGET, os.path.getsize(os.path.join(TARGET, "model.onnx")), "bytes")
