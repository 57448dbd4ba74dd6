import Foundation

/// An ONNX vision backbone with its preprocessing: a `.onnx` file or an optimum export directory
/// (model.onnx, config.json, preprocessor_config.json).
public struct OnnxImageModel: ImageEmbeddingModel {
    public let name: String
    public let poolings: [Pooling]
    public let maximumBatchSize: Int?
    public let metadata: JSONValue
    let session: InferenceSession
    let preprocessor: ImagePreprocessor
    /// `--jpeg-draft`: JPEGs decode reduced to at least the resize target (nil: in full, as the HF pipeline).
    let draft: JPEGDraft?
    let inputName: String
    /// Register tokens after the class token (config.json's `num_register_tokens`).
    let registers: Int
    /// Inputs of the other tower that a combined graph requires (a dummy text for CLIP's image side).
    let otherTower: OtherTowerFeeds
    /// The graph outputs added for poolings at a layer: layer index as given → tensor name.
    let blockOutputs: [Int: String]
    /// The model's final LayerNorm (read from the graph) when some pooling at a layer applies it.
    let finalNorm: LayerNorm?
    /// `--layer-norm final` (true) or `none`.
    let normalizesLayers: Bool
    /// The patch embedding's kernel (height, width), for feature maps' grids.
    let patchSize: (height: Int, width: Int)?

    /// `hubID`: the model's Hugging Face id, whose hub-cache snapshot supplies the configs the model's folder lacks.
    /// Poolings at a layer (`cls@-2`, `dino-linear`) add the blocks' outputs to an in-memory copy of the graph, found
    /// by `BackboneAnatomy`; the file itself is never rewritten. `normalizesLayers`: `--layer-norm final`.
    public init(path: String, poolings: [Pooling], threads: Int? = nil,
                overrides: PreprocessorOverrides = PreprocessorOverrides(), hubID: String? = nil,
                normalizesLayers: Bool = true) throws {
        let files = try ModelFiles.resolve(path, hubID: hubID)
        let layers = Self.layers(of: poolings)
        guard !layers.isEmpty else {
            try self.init(files: files, session: InferenceSession(modelPath: files.model.path, threads: threads),
                          poolings: poolings, overrides: overrides)
            return
        }
        let graph = try OnnxGraph(contentsOf: files.model.path)
        let anatomy = BackboneAnatomy(graph: graph)
        guard anatomy.blocks > 0 else {
            let declared = Pooling.available(outputs: graph.outputs.map { ($0.name, $0.shape?.count) })
            throw EmbeddingError.incompatibleModel("'\(files.model.path)': no transformer blocks found in the graph, so poolings at a layer (\(poolings.filter { !$0.layers.isEmpty }.map(\.description).joined(separator: ", "))) cannot be taken; its declared outputs allow: \(declared.isEmpty ? "none" : declared.joined(separator: ", "))")
        }
        var blockOutputs = [Int: String]()
        for layer in layers { blockOutputs[layer] = try anatomy.tensor(forLayer: layer) }
        let needsNorm = poolings.contains { if case .dinoLinear = $0 { true } else { false } }
            || (normalizesLayers && poolings.contains { switch $0 { case .layer, .featureMap: true; default: false } })
        if needsNorm, anatomy.finalNorm == nil {
            throw EmbeddingError.incompatibleModel("'\(files.model.path)': the model's final LayerNorm cannot be applied to block outputs (\(anatomy.finalNormProblem ?? "none found")); use --layer-norm none (dino-linear needs it)")
        }
        let bytes = graph.addingOutputs(layers.compactMap { blockOutputs[$0] })
        let session = try InferenceSession(model: .bytes(bytes, path: files.model.path), threads: threads)
        try self.init(files: files, session: session, poolings: poolings, overrides: overrides,
                      blockOutputs: blockOutputs, finalNorm: needsNorm ? anatomy.finalNorm : nil,
                      normalizesLayers: normalizesLayers, patchSize: anatomy.patchSize)
    }

    /// The layers a set of poolings reads, each once, in first-use order.
    static func layers(of poolings: [Pooling]) -> [Int] {
        var seen = Set<Int>()
        return poolings.flatMap(\.layers).filter { seen.insert($0).inserted }
    }

    /// The image side of an open session; `otherTower` fills the graph's other inputs.
    public init(files: ModelFiles, session: InferenceSession, poolings: [Pooling],
                overrides: PreprocessorOverrides = PreprocessorOverrides(),
                otherTower: OtherTowerFeeds = OtherTowerFeeds(), blockOutputs: [Int: String] = [:],
                finalNorm: LayerNorm? = nil, normalizesLayers: Bool = true,
                patchSize: (height: Int, width: Int)? = nil) throws {
        let path = files.model.path
        let config = try files.loadConfig()
        for pooling in poolings {
            for layer in pooling.layers where blockOutputs[layer] == nil {
                throw EmbeddingError.invalidArgument("pooling '\(pooling)' reads block outputs, which only a standalone image model's graph can give")
            }
        }

        // SigLIP 2's NaFlex exports take patch sequences with their grid shapes, not images.
        if let naflex = session.inputs.first(where: { ["pixel_attention_mask", "spatial_shapes"].contains($0.name) }) {
            throw EmbeddingError.incompatibleModel("model '\(path)' is a NaFlex (variable-resolution SigLIP 2) export: its input '\(naflex.name)' asks for patch sequences and their grid shapes, which Embeval does not build; export a fixed-resolution SigLIP 2 checkpoint (e.g. siglip2-base-patch16-224) instead")
        }
        // The image input: `pixel_values`, else the only input.
        let floatInputs = session.inputs.filter { [.float32, .float16, .float64].contains($0.elementType) }
        guard let input = session.input(named: "pixel_values") ?? (floatInputs.count == 1 ? floatInputs[0] : nil) else {
            throw EmbeddingError.incompatibleModel("model '\(path)' has no image input: expected 'pixel_values' or a single float input, found \(session.inputs.map { "'\($0.name)' \($0.shapeDescription)" }.joined(separator: ", "))")
        }
        guard input.shape.count == 4 else {
            throw EmbeddingError.unexpectedShape(tensor: "model input '\(input.name)'", shape: input.shapeDescription, expected: "expected [batch, 3, height, width]")
        }
        if let channels = input.shape[1], channels != 3 {
            throw EmbeddingError.incompatibleModel("model input '\(input.name)' expects \(channels) channel(s) (shape \(input.shapeDescription)); Embeval feeds RGB images with 3")
        }
        for pooling in poolings {
            guard let outputName = pooling.outputName else { continue }
            guard let output = session.output(named: outputName) else {
                throw EmbeddingError.missingOutput(output: outputName, neededBy: "pooling '\(pooling)'", available: session.outputs.map(\.name))
            }
            let rank = pooling.readsTokens ? 3 : 2
            guard output.shape.count == rank else {
                throw EmbeddingError.unexpectedShape(tensor: "model output '\(output.name)'", shape: output.shapeDescription,
                                                     expected: "pooling '\(pooling)' needs \(rank == 2 ? "a 2-D [batch, d] output" : "[batch, tokens, hidden]")")
            }
        }

        // Preprocessing: the export's preprocessor_config.json (or the hub snapshot's), else a ViT-style resize to the
        // input's static size — said in a warning and in the report, never a silent guess.
        var preprocessorConfig: PreprocessorConfig
        if let url = files.preprocessorConfig {
            preprocessorConfig = try PreprocessorConfig(contentsOf: url.path)
        } else {
            preprocessorConfig = PreprocessorConfig.defaults(for: "ViTImageProcessor")
            if let h = input.shape[2], let w = input.shape[3] {
                // A side no image can be resized to (0 trapped in the resize) is the model's fault, said when it opens.
                let sides = 1...PreprocessorConfig.largestSide
                guard sides.contains(h), sides.contains(w), h * w <= ImagePreprocessor.largestResizedArea else {
                    throw EmbeddingError.incompatibleModel("model '\(path)': its input '\(input.name)' \(input.shapeDescription) asks for \(w)×\(h) images; a side must be between 1 and \(PreprocessorConfig.largestSide) pixels, and the area at most \(ImagePreprocessor.largestResizedArea)")
                }
                preprocessorConfig.size = .exact(height: h, width: w)
            }
        }
        if files.preprocessorConfig == nil {
            preprocessorConfig.warnings.append(Self.defaultsWarning(files: files, config: preprocessorConfig.applying(overrides)))
        }
        let preprocessor = ImagePreprocessor(config: preprocessorConfig, overrides: overrides)

        self.name = files.model.lastPathComponent == "model.onnx"
            ? files.model.deletingLastPathComponent().lastPathComponent : files.model.lastPathComponent
        self.poolings = poolings
        self.maximumBatchSize = input.shape[0] == nil ? nil : input.shape[0]
        self.session = session
        self.preprocessor = preprocessor
        self.draft = overrides.jpegDraft ? preprocessor.jpegDraft : nil
        self.inputName = input.name
        self.registers = config?.numRegisterTokens ?? 0
        self.otherTower = otherTower
        self.blockOutputs = blockOutputs
        self.finalNorm = finalNorm
        self.normalizesLayers = normalizesLayers
        self.patchSize = patchSize
        if poolings.contains(where: { if case .featureMap = $0 { true } else { false } }) {
            guard let patchSize else {
                throw EmbeddingError.incompatibleModel("'\(path)': feature maps need the patch size, and no patch-embedding Conv was found in the graph")
            }
            guard preprocessor.config.doCenterCrop || { if case .exact = preprocessor.config.size { true } else { false } }() else {
                throw EmbeddingError.invalidArgument("feature maps need one input size for every image: set --crop or --image-size (the preprocessing resizes the shortest edge only)")
            }
            let (h, w) = preprocessor.outputSize(width: 224, height: 224)
            guard h % patchSize.height == 0, w % patchSize.width == 0 else {
                throw EmbeddingError.incompatibleModel("'\(path)': the input \(w)×\(h) is not a whole number of \(patchSize.width)×\(patchSize.height) patches")
            }
        }
        let layerEntries: [(String, JSONValue)] = blockOutputs.isEmpty ? [] : [
            ("block_outputs", .object(blockOutputs.keys.sorted().map { (String($0), .string(blockOutputs[$0] ?? "")) })),
            ("layer_norm", .string(normalizesLayers ? "final" : "none")),
        ]
        self.metadata = .object([
            ("name", .string(name)), ("path", .string(files.model.path)), ("sha256", .string(try files.sha256())),
            ("onnxruntime", .string(session.library.version)),
            ("input", .object([("name", .string(input.name)), ("shape", .string(input.shapeDescription))])),
            ("outputs", .array(session.outputs.map { .string("\($0.name) \($0.shapeDescription)") })),
            ("num_register_tokens", .int(registers)),
            ("preprocessing", Self.summary(preprocessor.config, jpegDraft: draft != nil)),
            ("preprocessor_config", files.preprocessorConfig.map { .string($0.path) } ?? .string("none found: defaults")),
            ("hub_id", files.hub.map { .string($0.id) } ?? .null),
            ("hub_snapshot", files.hub?.snapshot.map { .string($0.path) } ?? .null),
            ("warnings", .array(preprocessor.config.warnings.map { .string($0) })),
        ] + layerEntries)
    }

    /// The warning for a model without preprocessor_config.json: where it was looked for, the preprocessing used
    /// instead, and how to get the real one.
    static func defaultsWarning(files: ModelFiles, config c: PreprocessorConfig) -> String {
        var place = "beside '\(files.model.path)'"
        var remedy = "pass --model-id owner/name to take it from the Hugging Face hub cache, or set --resize/--crop/--mean/--std"
        if let hub = files.hub {
            place += hub.snapshot == nil ? " nor in the hub cache for '\(hub.id)' (\(hub.lookedIn) is missing)" : " nor in the hub cache's snapshot of '\(hub.id)'"
            remedy = hub.snapshot == nil
                ? "download it with: \(HubCache.downloadCommand(hub.id, kind: .model, revision: nil))"
                : "set --resize/--crop/--mean/--std if these are not the model's"
        }
        return "no preprocessor_config.json \(place): using ViTImageProcessor defaults (\(steps(c))); \(remedy)"
    }

    /// The preprocessing steps in words: `resize to 224×224 (resample 2), rescale 0.00392157, normalize mean … std …`.
    static func steps(_ c: PreprocessorConfig) -> String {
        let size: String
        switch c.size {
        case .exact(let h, let w): size = "resize to \(w)×\(h)"
        case .shortestEdge(let s, _): size = "resize the shortest edge to \(s)"
        }
        let numbers = { (values: [Double]) in values.map { String(format: "%g", $0) }.joined(separator: ",") }
        let used = [c.doResize ? "\(size) (resample \(c.resample.rawValue))" : "no resize",
                    c.doCenterCrop ? c.cropSize.map { "center crop \($0.width)×\($0.height)" } : nil,
                    c.doRescale ? "rescale \(String(format: "%g", c.rescaleFactor))\(c.rescaleOffset ? " - 1" : "")" : nil,
                    c.doNormalize ? "normalize mean \(numbers(c.imageMean)) std \(numbers(c.imageStd))" : nil,
                    c.includeTop ? "divide by std \(numbers(c.imageStd)) (include_top)" : nil].compactMap { $0 }
        return used.joined(separator: ", ")
    }

    /// The preprocessing actually applied (after overrides), for reports; `jpeg_draft` appears only when on, so that
    /// sets embedded before the option existed still match exact runs (EfficientNet's `rescale_offset` and
    /// `include_top` likewise).
    static func summary(_ c: PreprocessorConfig, jpegDraft: Bool = false) -> JSONValue {
        let size: JSONValue
        switch c.size {
        case .exact(let h, let w): size = .object([("height", .int(h)), ("width", .int(w))])
        case .shortestEdge(let s, _): size = .object([("shortest_edge", .int(s))])
        }
        return .object((jpegDraft ? [("jpeg_draft", JSONValue.bool(true))] : []) + [
            ("processor", c.processorType.map { .string($0) } ?? .null), ("do_resize", .bool(c.doResize)),
            ("size", size), ("resample", .int(c.resample.rawValue)), ("do_center_crop", .bool(c.doCenterCrop)),
            ("crop_size", c.cropSize.map { .object([("height", .int($0.height)), ("width", .int($0.width))]) } ?? .null),
            ("do_rescale", .bool(c.doRescale)), ("rescale_factor", .number(c.rescaleFactor)),
            ("do_normalize", .bool(c.doNormalize)), ("image_mean", .array(c.imageMean.map { .number($0) })),
            ("image_std", .array(c.imageStd.map { .number($0) })),
        ] + (c.rescaleOffset ? [("rescale_offset", JSONValue.bool(true))] : [])
          + (c.includeTop ? [("include_top", JSONValue.bool(true))] : []))
    }

    public func prepare(_ sample: Sample, limits: ImageLimits) throws -> Tensor {
        let image = try sample.loadImage(limits: limits, draft: draft)
        try preprocessor.checkSize(width: image.width, height: image.height, path: sample.id)
        let (h, w) = preprocessor.outputSize(width: image.width, height: image.height)
        return Tensor(shape: [3, h, w], values: preprocessor.process(image))
    }

    public func embed(_ batch: [Tensor]) throws -> [Matrix] {
        let shape = batch[0].shape
        if let odd = batch.first(where: { $0.shape != shape }) {
            throw EmbeddingError.differentSizes(first: shape.dropFirst().map(String.init).joined(separator: "×"),
                                               other: odd.shape.dropFirst().map(String.init).joined(separator: "×"),
                                               remedy: "set --crop or --image-size so every image gets one size")
        }
        var values = [Float]()
        values.reserveCapacity(batch.count * batch[0].values.count)
        for t in batch { values.append(contentsOf: t.values) }
        var feeds = otherTower.feeds(forBatch: batch.count)
        feeds[inputName] = .float32(Tensor(shape: [batch.count] + shape, values: values))
        let names = Set(poolings.compactMap(\.outputName)).union(blockOutputs.values)
        let outputs = try session.run(feeds, outputNames: names.sorted())
        let grid = patchSize.flatMap { p in shape.count == 3 ? (shape[1] / p.height, shape[2] / p.width) : nil }
        let input = PoolingInput(outputs: outputs, blocks: blockOutputs.compactMapValues { outputs[$0] },
                                 finalNorm: finalNorm, normalizesLayers: normalizesLayers, registers: registers, grid: grid)
        return try poolings.map { try $0.pool(input) }
    }

    /// A feature map's row stands for [C, H/p, W/p] of the (fixed) input size; any other pooling's for [d].
    public func sampleShape(ofPooling index: Int, columns: Int) -> [Int] {
        guard poolings.indices.contains(index), case .featureMap = poolings[index], let patchSize else { return [columns] }
        let (h, w) = preprocessor.outputSize(width: 224, height: 224)
        let (gh, gw) = (h / patchSize.height, w / patchSize.width)
        guard gh > 0, gw > 0, columns % (gh * gw) == 0 else { return [columns] }
        return [columns / (gh * gw), gh, gw]
    }
}
