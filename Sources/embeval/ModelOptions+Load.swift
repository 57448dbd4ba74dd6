import Embeval

extension EmbeddingOptions {
    /// Builds an image model from its spec: the raw-pixel baseline, or an ONNX backbone with its preprocessing.
    func imageModel(_ spec: [String]) throws -> ImageEmbeddingModel {
        guard !spec.isEmpty else { throw EmbevalError.usage("-m MODEL is required") }
        guard spec.count == 1, let model = spec.first, !model.hasPrefix("image-encoder="), !model.hasPrefix("text-encoder=") else {
            throw EmbevalError.usage("this command embeds with one image model: -m PATH (roles such as image-encoder= are for zeroshot)")
        }
        let poolings = try poolings()
        if model == "pixels" {
            if poolings != [.cls] { warn("-m pixels has no poolings; --pooling is ignored") }
            return PixelModel(size: imageSize.map { ($0, $0) })
        }
        return try OnnxImageModel(path: model, poolings: poolings, threads: threads, overrides: try overrides())
    }

    /// Builds a two-tower model from its spec (a combined export, or image-encoder= and text-encoder= roles).
    func twoTowerModel(_ spec: [String], tokenizer: String?) throws -> TwoTowerModel {
        try TwoTowerModel(ModelRoles(arguments: spec), threads: threads, overrides: overrides()) { url in
            try TokenizerLoader.load(path: tokenizer ?? url.path)
        }
    }

    func overrides() throws -> PreprocessorOverrides {
        PreprocessorOverrides(imageSize: imageSize, shortestEdge: resize, cropSize: crop,
                              mean: try mean.map { try triple($0, flag: "--mean") },
                              std: try std.map { try triple($0, flag: "--std") },
                              resample: try resample.map(Self.resampling))
    }

    private func triple(_ text: String, flag: String) throws -> [Double] {
        let values = text.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard values.count == 3 else { throw EmbevalError.usage("\(flag) '\(text)': expected three comma-separated numbers (r,g,b)") }
        if flag == "--std", values.contains(where: { $0 <= 0 }) { throw EmbevalError.usage("--std '\(text)': values must be > 0") }
        return values
    }

    static func resampling(_ text: String) throws -> Resampling {
        let names: [String: Resampling] = ["nearest": .nearest, "bilinear": .bilinear, "bicubic": .bicubic,
                                           "lanczos": .lanczos, "box": .box, "hamming": .hamming]
        if let r = names[text.lowercased()] ?? Int(text).flatMap(Resampling.init(rawValue:)) { return r }
        throw EmbevalError.usage("--resample '\(text)': expected nearest, bilinear, bicubic, lanczos, box, hamming or Pillow's number 0–5")
    }
}
