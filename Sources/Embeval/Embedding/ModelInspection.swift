import Foundation

/// `embeval inspect`: the anatomy of an export — its tensors, the transformer blocks found in its graph, the token
/// layout and preprocessing Embeval will use, the poolings and layers it can give, and what makes its numbers depend
/// on the batch. For a two-tower model, both towers and the tokenizer.
public struct ModelInspection: Report {
    /// One declared input or output.
    public struct TensorEntry: Codable, Sendable, Equatable {
        public var name: String
        public var type: String
        public var shape: String
    }

    /// What the graph's structure shows of a ViT backbone.
    public struct Blocks: Codable, Sendable, Equatable {
        public var count: Int
        public var hiddenSize: Int?
        /// From config.json (`num_attention_heads`); nil when it does not say.
        public var heads: Int?
        /// The residual stream at block boundaries: [0] feeds the first block, [i] is block i−1's output.
        public var hiddenStates: [String]
        /// `LayerNorm over 384, eps 1e-06`, or why none can be applied to block outputs.
        public var finalNorm: String
        enum CodingKeys: String, CodingKey {
            case count, hiddenSize = "hidden_size", heads, hiddenStates = "hidden_states", finalNorm = "final_norm"
        }
    }

    /// One ONNX graph.
    public struct Tower: Codable, Sendable {
        public var path: String
        public var sha256: String
        public var bytes: Int
        public var opset: Int
        public var irVersion: Int
        public var producer: String
        public var inputs: [TensorEntry]
        public var outputs: [TensorEntry]
        /// nil: no transformer blocks found (only the declared outputs can be pooled).
        public var blocks: Blocks?
        /// `DynamicQuantizeLinear`…: operators whose results depend on the whole batch.
        public var batchDependentOperators: [String]
        enum CodingKeys: String, CodingKey {
            case path, sha256, bytes, opset, irVersion = "ir_version", producer, inputs, outputs, blocks
            case batchDependentOperators = "batch_dependent_operators"
        }
    }

    /// The image tower as Embeval will run it.
    public struct ImageSide: Codable, Sendable {
        public var tower: Tower
        /// Class token + `num_register_tokens` (config.json); the rest are patch tokens.
        public var prefixTokens: Int
        public var registers: Int
        /// `16×16` (the patch embedding's kernel).
        public var patchSize: String?
        /// `14×14 = 196 patches` for the configured input size.
        public var grid: String?
        public var inputSize: String
        public var preprocessing: JSONValue
        /// The same in words, as the terminal shows it.
        public var preprocessingSteps: String
        public var poolings: [String]
        /// `0…11, or -1…-12` when blocks were found.
        public var layers: String?
        enum CodingKeys: String, CodingKey {
            case tower, prefixTokens = "prefix_tokens", registers, patchSize = "patch_size", grid, inputSize = "input_size"
            case preprocessing, preprocessingSteps = "preprocessing_steps", poolings, layers
        }
    }

    /// A two-tower model's text side.
    public struct TextSide: Codable, Sendable {
        /// The text tower's own graph (nil: it is the image tower's, a combined export).
        public var tower: Tower?
        public var tokenizer: String
        public var maxLength: Int?
        public var padding: String?
        public var output: String?
        /// Whether the image and text inputs share one symbolic batch name (ONNX Runtime then wants equal batches).
        public var sharedBatchAxis: Bool
        enum CodingKeys: String, CodingKey {
            case tower, tokenizer, maxLength = "max_length", padding, output, sharedBatchAxis = "shared_batch_axis"
        }
    }

    public var task = "inspect"
    public var image: ImageSide
    public var text: TextSide?
    public var onnxruntime: String
    public var providers: [String]
    /// What the reader should know: no blocks, batch-dependent operators, a missing tokenizer.
    public var notes: [String]

    /// Inspects `roles` (one export, or image/text encoders). `loadTokenizer` reads a two-tower model's tokenizer.
    public init(_ roles: ModelRoles, hubID: String? = nil, overrides: PreprocessorOverrides = PreprocessorOverrides(),
                loadTokenizer: (URL) throws -> TextTokenizer) throws {
        let imagePath: String, textPath: String?
        switch roles {
        case .combined(let path): (imagePath, textPath) = (path, nil)
        case .split(let image, let text): (imagePath, textPath) = (image, text)
        }
        let files = try ModelFiles.resolve(imagePath, hubID: hubID)
        let session = try InferenceSession(modelPath: files.model.path, threads: 1)
        let graph = try OnnxGraph(contentsOf: files.model.path)
        let model = try OnnxImageModel(files: files, session: session, poolings: [], overrides: overrides)
        let anatomy = BackboneAnatomy(graph: graph, imageInput: model.inputName)
        let config = try files.loadConfig()
        var notes = [String]()

        let tower = try Self.tower(files: files, session: session, graph: graph, anatomy: anatomy, heads: config?.numAttentionHeads)
        let registers = config?.numRegisterTokens ?? 0
        let (h, w) = model.preprocessor.outputSize(width: 224, height: 224)
        var inputSize = "\(w)×\(h)"
        if case .shortestEdge = model.preprocessor.config.size, !model.preprocessor.config.doCenterCrop { inputSize += " (for a 224×224 image)" }
        var grid: String?, patch: String?, prefix = 1 + registers
        if let p = anatomy.patchSize, anatomy.blocks > 0 {
            let patches = w / p.width * (h / p.height)
            patch = "\(p.width)×\(p.height)"
            grid = "\(w / p.width)×\(h / p.height) = \(patches) patches"
            // A static token count shows the prefix directly (SigLIP has no class token).
            if let tokens = session.output(named: "last_hidden_state")?.shape.dropFirst().first ?? nil, tokens >= patches {
                prefix = tokens - patches
            }
        }
        var poolings = Pooling.available(outputs: session.outputs.map { ($0.name, $0.rank) })
        var layers: String?
        if anatomy.blocks > 0 {
            layers = "0…\(anatomy.blocks - 1), or -1…-\(anatomy.blocks)"
            poolings.append("POOLING@LAYER")
            if anatomy.finalNorm != nil { poolings.append("dino-linear[:N≤\(anatomy.blocks)]") }
        } else {
            notes.append("no transformer blocks found in the graph: --layers and dino-linear cannot be used; the poolings of its declared outputs still work (\(poolings.isEmpty ? "none" : poolings.joined(separator: ", ")))")
        }
        if !anatomy.batchDependentOperators.isEmpty {
            notes.append("the graph holds \(anatomy.batchDependentOperators.joined(separator: ", ")) (dynamic quantisation): activation scales are computed over the whole batch, so an image's embedding depends on its batch-mates; --batch-size 1 reproduces per-image pipelines")
        }
        image = ImageSide(tower: tower, prefixTokens: prefix, registers: registers, patchSize: patch, grid: grid,
                          inputSize: inputSize, preprocessing: OnnxImageModel.summary(model.preprocessor.config),
                          preprocessingSteps: (model.preprocessor.config.processorType.map { "\($0): " } ?? "") + OnnxImageModel.steps(model.preprocessor.config),
                          poolings: poolings, layers: layers)

        if session.input(named: "input_ids") != nil || textPath != nil {
            var textSession = session, textTower: Tower?, tokenizerFolder = files.tokenizerDirectory
            if let textPath {
                let textFiles = try ModelFiles.resolve(textPath, hubID: hubID)
                textSession = try InferenceSession(modelPath: textFiles.model.path, threads: 1)
                let textGraph = try OnnxGraph(contentsOf: textFiles.model.path)
                textTower = try Self.tower(files: textFiles, session: textSession, graph: textGraph,
                                           anatomy: BackboneAnatomy(graph: textGraph), heads: nil)
                tokenizerFolder = textFiles.tokenizerDirectory
            }
            var side = TextSide(tower: textTower, tokenizer: "none found", sharedBatchAxis: textPath == nil && OtherTowerFeeds.sharesBatchAxis(session))
            side.output = (textSession.output(named: "text_embeds") ?? textSession.output(named: "pooler_output"))?.name
            do {
                let tokenizer = try loadTokenizer(tokenizerFolder)
                side.tokenizer = tokenizer.summary
                side.maxLength = tokenizer.maxLength
                let padding = tokenizer.fixedLength.map { "to max_length \($0) (pad id \(tokenizer.padID))" }
                    ?? "to the longest text of a batch (pad id \(tokenizer.padID))"
                side.padding = padding + (tokenizer.padsLeft ? ", on the left" : "")
            } catch {
                notes.append("tokenizer: \(error)")
            }
            if side.sharedBatchAxis {
                notes.append("image and text inputs share one symbolic batch name: each tower's run repeats the other's dummy input to the batch size")
            }
            text = side
        }
        onnxruntime = session.library.version
        providers = (try? session.library.availableProviders()) ?? []
        self.notes = notes
    }

    private static func tower(files: ModelFiles, session: InferenceSession, graph: OnnxGraph, anatomy: BackboneAnatomy,
                              heads: Int?) throws -> Tower {
        let entry = { (t: TensorInfo) in
            let dims = zip(t.shape, t.symbolicNames).map { size, symbol in size.map(String.init) ?? symbol ?? "?" }
            return TensorEntry(name: t.name, type: "\(t.elementType)", shape: "[\(dims.joined(separator: ", "))]")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: files.model.path)[.size] as? Int) ?? 0
        var blocks: Blocks?
        if anatomy.blocks > 0 {
            let norm = anatomy.finalNorm.map { "LayerNorm over \($0.scale.count), eps \(String(format: "%g", $0.epsilon))" }
                ?? "none applicable: \(anatomy.finalNormProblem ?? "not found")"
            blocks = Blocks(count: anatomy.blocks, hiddenSize: anatomy.hiddenSize, heads: heads,
                            hiddenStates: anatomy.hiddenStates, finalNorm: norm)
        }
        return Tower(path: files.model.path, sha256: try files.sha256(), bytes: size, opset: graph.opset,
                     irVersion: graph.irVersion, producer: graph.producer, inputs: session.inputs.map(entry),
                     outputs: session.outputs.map(entry), blocks: blocks, batchDependentOperators: anatomy.batchDependentOperators)
    }

    /// The terminal rendering: one fact per line.
    public var lines: [String] {
        var out = [String]()
        func describe(_ tower: Tower, _ title: String) {
            out.append("\(title): \(tower.path)")
            out.append("  sha256 \(tower.sha256), \(tower.bytes) bytes, opset \(tower.opset), IR \(tower.irVersion)\(tower.producer.isEmpty ? "" : ", from \(tower.producer)")")
            for t in tower.inputs { out.append("  input  \(t.name): \(t.type) \(t.shape)") }
            for t in tower.outputs { out.append("  output \(t.name): \(t.type) \(t.shape)") }
            if let b = tower.blocks {
                out.append("  blocks: \(b.count) (hidden size \(b.hiddenSize.map(String.init) ?? "?"), heads \(b.heads.map(String.init) ?? "not in config.json")); final norm: \(b.finalNorm)")
                if let first = b.hiddenStates.first, let last = b.hiddenStates.last {
                    out.append("  residual stream: \(first) … \(last)")
                }
            } else {
                out.append("  blocks: none found")
            }
        }
        describe(image.tower, text == nil ? "model" : "image tower")
        if image.tower.blocks != nil {
            let layout = image.prefixTokens == 0 ? "no class token" : "class + \(image.registers) register\(image.registers == 1 ? "" : "s")"
            out.append("  tokens: \(image.prefixTokens) prefix (\(layout))\(image.patchSize.map { ", patch \($0)" } ?? "")\(image.grid.map { ", grid \($0)" } ?? "") at input \(image.inputSize)")
        } else {
            out.append("  input size: \(image.inputSize)")
        }
        out.append("  preprocessing: \(image.preprocessingSteps)")
        out.append("  poolings: \(image.poolings.joined(separator: ", "))")
        if let layers = image.layers { out.append("  layers: \(layers)") }
        if let text {
            if let tower = text.tower { describe(tower, "text tower") }
            out.append("text: tokenizer \(text.tokenizer), max length \(text.maxLength.map(String.init) ?? "?"), padding \(text.padding ?? "?"), output \(text.output ?? "none"), shared batch axis: \(text.sharedBatchAxis ? "yes" : "no")")
        }
        out.append("onnxruntime \(onnxruntime), providers: \(providers.joined(separator: ", "))")
        for note in notes { out.append("note: \(note)") }
        return out
    }
}
