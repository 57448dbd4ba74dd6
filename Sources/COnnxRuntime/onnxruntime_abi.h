// Embeval's own declarations of the subset of the ONNX Runtime C ABI it calls (filled in by the Runtime layer).
#pragma once
