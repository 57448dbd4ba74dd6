import Foundation

/// How one image-level vector is taken from a ViT's outputs (see seed 002 on prefix vs patch tokens).
///
/// Token layout of `last_hidden_state` [batch, tokens, hidden]: token 0 is the class token, tokens 1…R the
/// `num_register_tokens` registers (DINOv2 with registers), the rest are patch tokens.
public indirect enum Pooling: Hashable, Sendable, CustomStringConvertible {
    /// Token 0 of `last_hidden_state`: the standard kNN protocol of DINO/DINOv2.
    case cls
    /// Mean of the patch tokens (class token and registers excluded).
    case mean
    /// `cls` and `mean` concatenated (DINOv2's linear-probe features).
    case clsMean
    /// Generalised mean of the patch tokens with p = 3, after clamping at 1e-6 (DINO's copy-detection GeM).
    case gem
    /// The model's `pooler_output`.
    case pooler
    /// Any named 2-D output, e.g. `image_embeds`.
    case output(String)
    /// A token pooling of one transformer block's output instead of the final one: `cls@-2` (negative: from the
    /// last block, as timm's `forward_intermediates` indices; 0 is the first block).
    case layer(Pooling, Int)
    /// DINO/DINOv2's linear-eval features: the class tokens of the last n blocks, each through the final LayerNorm,
    /// then the mean of the last block's normed patch tokens (DINOv2's `create_linear_input` order).
    case dinoLinear(blocks: Int)
    /// A block's patch tokens as a [C, H/p, W/p] feature map (prefix tokens dropped), flattened into one row:
    /// `featuremap@-1`, what `embed --feature-maps` writes as [N, C, H, W].
    case featureMap(Int)

    public init(parsing text: String) throws {
        switch text {
        case "cls": self = .cls
        case "mean": self = .mean
        case "cls+mean": self = .clsMean
        case "gem": self = .gem
        case "pooler": self = .pooler
        case "dino-linear": self = .dinoLinear(blocks: 4)
        default:
            if text.hasPrefix("dino-linear:") {
                guard let n = Int(text.dropFirst(12)), n >= 1, n <= 1024 else {
                    throw EmbeddingError.invalidArgument("'\(text)': dino-linear:N needs a block count N from 1 to 1024")
                }
                self = .dinoLinear(blocks: n)
            } else if let at = text.lastIndex(of: "@"), !text.hasPrefix("output:") {
                if text[..<at] == "featuremap" {
                    guard let layer = Int(text[text.index(after: at)...]), (-4096...4096).contains(layer) else {
                        throw EmbeddingError.invalidArgument("'\(text)': expected featuremap@LAYER with an integer layer, e.g. featuremap@-1")
                    }
                    self = .featureMap(layer)
                    return
                }
                let base = try Pooling(parsing: String(text[..<at]))
                guard base.readsTokens else {
                    throw EmbeddingError.invalidArgument("'\(text)': only cls, mean, cls+mean and gem can be taken at a layer")
                }
                guard let layer = Int(text[text.index(after: at)...]), (-4096...4096).contains(layer) else {
                    throw EmbeddingError.invalidArgument("'\(text)': expected POOLING@LAYER with an integer layer, e.g. cls@-2")
                }
                self = .layer(base, layer)
            } else {
                guard text.hasPrefix("output:"), text.count > 7 else {
                    throw EmbeddingError.invalidArgument("unknown pooling '\(text)' (accepted: cls, mean, cls+mean, gem, pooler, output:NAME, POOLING@LAYER, dino-linear[:N])")
                }
                self = .output(String(text.dropFirst(7)))
            }
        }
    }

    /// A comma-separated list, e.g. `cls,mean,gem`.
    public static func list(parsing text: String) throws -> [Pooling] { try PoolingList(parsing: text).values }

    /// The poolings a model's declared outputs allow (name, rank): token poolings of a 3-D `last_hidden_state`,
    /// `pooler` and `output:NAME` of 2-D ones.
    public static func available(outputs: [(name: String, rank: Int?)]) -> [String] {
        var out = [String]()
        if outputs.contains(where: { $0.name == "last_hidden_state" && $0.rank == 3 }) { out += ["cls", "mean", "cls+mean", "gem"] }
        for output in outputs where output.rank == 2 { out.append(output.name == "pooler_output" ? "pooler" : "output:\(output.name)") }
        return out
    }

    /// `--layers`: every token pooling taken at every layer (pooling-major, one row each), e.g. cls × [-1, -2] →
    /// `cls@-1, cls@-2`. Poolings that do not read tokens cannot be taken at a layer.
    public static func atLayers(_ poolings: [Pooling], layers: [Int]) throws -> [Pooling] {
        guard !layers.isEmpty else { return poolings }
        if let other = poolings.first(where: { !$0.readsTokens }) {
            throw EmbeddingError.invalidArgument("--layers takes cls, mean, cls+mean or gem poolings; '\(other)' cannot be taken at a layer")
        }
        var out = [Pooling]()
        for pooling in poolings { for layer in layers where !out.contains(.layer(pooling, layer)) { out.append(.layer(pooling, layer)) } }
        return out
    }

    /// `--layers -1,-2,-3,-4`: comma-separated block indices (negative from the last block).
    public static func layers(parsing text: String) throws -> [Int] {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !parts.isEmpty else { throw EmbeddingError.invalidArgument("--layers expects comma-separated block indices, e.g. -1,-2,-3,-4") }
        return try parts.map { part in
            guard let layer = Int(part), (-4096...4096).contains(layer) else {
                throw EmbeddingError.invalidArgument("--layers: '\(part)' is not a block index (an integer, negative from the last block)")
            }
            return layer
        }
    }

    public var description: String {
        switch self {
        case .cls: "cls"
        case .mean: "mean"
        case .clsMean: "cls+mean"
        case .gem: "gem"
        case .pooler: "pooler"
        case .output(let name): "output:\(name)"
        case .layer(let base, let layer): "\(base)@\(layer)"
        case .dinoLinear(let n): n == 4 ? "dino-linear" : "dino-linear:\(n)"
        case .featureMap(let layer): "featuremap@\(layer)"
        }
    }

    /// The folder a pooling's set goes to when `embed` writes several (`output:image_embeds` → `output_image_embeds`,
    /// `cls@-2` → `cls@-2`).
    public var folderName: String { Self.folderName(for: description) }

    /// The folder of the pooling named `name` (as a manifest records poolings).
    public static func folderName(for name: String) -> String {
        name.replacingOccurrences(of: ":", with: "_").replacingOccurrences(of: "/", with: "_")
    }

    /// Whether this pools the tokens of `last_hidden_state` (and so can be taken at a layer too).
    public var readsTokens: Bool {
        switch self {
        case .cls, .mean, .clsMean, .gem: true
        default: false
        }
    }

    /// The model output this pooling reads; nil for poolings of block outputs (which the graph gains as outputs).
    public var outputName: String? {
        switch self {
        case .cls, .mean, .clsMean, .gem: "last_hidden_state"
        case .pooler: "pooler_output"
        case .output(let name): name
        case .layer, .dinoLinear, .featureMap: nil
        }
    }

    /// The block outputs this pooling reads (layer indices as given: negative from the last block).
    public var layers: [Int] {
        switch self {
        case .layer(_, let layer), .featureMap(let layer): [layer]
        case .dinoLinear(let n): Array(stride(from: -n, through: -1, by: 1))
        default: []
        }
    }

    /// Pools a batch of model outputs into `batch × d` rows.
    /// - Parameter registers: register tokens after the class token (config.json's `num_register_tokens`).
    public func pool(_ outputs: [String: Tensor], registers: Int) throws -> Matrix {
        try pool(PoolingInput(outputs: outputs, registers: registers))
    }

    /// Pools one batch: the model's outputs and, for layer poolings, its block outputs.
    public func pool(_ input: PoolingInput) throws -> Matrix {
        switch self {
        case .pooler, .output:
            let name = outputName ?? ""
            guard let t = input.outputs[name] else {
                throw EmbeddingError.missingOutput(output: name, neededBy: "pooling '\(self)'", available: input.outputs.keys.sorted())
            }
            guard t.shape.count == 2 else {
                throw EmbeddingError.unexpectedShape(tensor: "model output '\(name)'", shape: "\(t.shape)", expected: "pooling '\(self)' needs a 2-D [batch, d] output")
            }
            return Matrix(rows: t.shape[0], columns: t.shape[1], values: t.values)
        case .cls, .mean, .clsMean, .gem:
            guard let t = input.outputs["last_hidden_state"] else {
                throw EmbeddingError.missingOutput(output: "last_hidden_state", neededBy: "pooling '\(self)'", available: input.outputs.keys.sorted())
            }
            return try poolTokens(t, name: "model output 'last_hidden_state'", registers: input.registers, grid: input.grid)
        case .layer(let base, let layer):
            return try base.poolTokens(try input.block(layer, normed: input.normalizesLayers), name: "block output \(layer)",
                                       registers: input.registers, grid: input.grid)
        case .dinoLinear(let n):
            let last = try input.block(-1, normed: true)
            let mean = try Pooling.mean.poolTokens(last, name: "block output -1", registers: input.registers, grid: input.grid)
            let classTokens = try stride(from: -n, through: -1, by: 1).map { try Pooling.cls.poolTokens(try input.block($0, normed: true), name: "block output \($0)", registers: input.registers, grid: input.grid) }
            let parts = classTokens + [mean]
            let rows = mean.rows
            guard parts.allSatisfy({ $0.rows == rows }) else {
                throw EmbeddingError.incompatibleModel("block outputs of the last \(n) blocks hold different batch sizes")
            }
            return Matrix(rows: rows, columns: parts.reduce(0) { $0 + $1.columns }, values: (0..<rows).flatMap { i in
                parts.flatMap { $0.values[(i * $0.columns)..<((i + 1) * $0.columns)] }
            })
        case .featureMap(let layer):
            return try Self.featureMaps(try input.block(layer, normed: input.normalizesLayers), name: "block output \(layer)", grid: input.grid)
        }
    }

    /// Block tokens [batch, tokens, C] → rows of C·gh·gw, channel-major (value [c, y, x] from patch token y·gw + x).
    private static func featureMaps(_ t: Tensor, name: String, grid: (height: Int, width: Int)?) throws -> Matrix {
        guard t.shape.count == 3, let grid, grid.height > 0, grid.width > 0 else {
            throw EmbeddingError.unexpectedShape(tensor: name, shape: "\(t.shape)", expected: "[batch, tokens, hidden] tokens of a model whose patch size is known")
        }
        let (b, tokens, c) = (t.shape[0], t.shape[1], t.shape[2])
        let patches = grid.height * grid.width
        guard tokens >= patches, b * tokens * c == t.values.count else {
            throw EmbeddingError.unexpectedShape(tensor: name, shape: "\(t.shape)", expected: "at least \(patches) patch tokens for a \(grid.height)×\(grid.width) grid")
        }
        let prefix = tokens - patches
        var values = [Float](repeating: 0, count: b * c * patches)
        for i in 0..<b {
            for k in 0..<patches {
                let source = (i * tokens + prefix + k) * c
                for channel in 0..<c { values[(i * c + channel) * patches + k] = t.values[source + channel] }
            }
        }
        return Matrix(rows: b, columns: c * patches, values: values)
    }

    /// A token pooling of one [batch, tokens, hidden] tensor. With the patch grid known, a prefix longer than the class
    /// token and `registers` is refused: the extra tokens (registers a missing config.json does not declare) would
    /// be pooled as patches.
    private func poolTokens(_ t: Tensor, name: String, registers: Int, grid: (height: Int, width: Int)? = nil) throws -> Matrix {
        guard t.shape.count == 3 else {
            throw EmbeddingError.unexpectedShape(tensor: name, shape: "\(t.shape)", expected: "pooling '\(self)' needs [batch, tokens, hidden]")
        }
        let (b, tokens, h) = (t.shape[0], t.shape[1], t.shape[2])
        let firstPatch = 1 + registers
        if self != .cls, let grid, tokens - grid.height * grid.width > firstPatch {
            let prefix = tokens - grid.height * grid.width
            throw EmbeddingError.incompatibleModel("\(name) has \(tokens) tokens for a \(grid.height)×\(grid.width) patch grid: \(prefix) before the patches, where the class token and \(registers) register(s) (config.json's num_register_tokens) are \(firstPatch); set num_register_tokens to \(prefix - 1)")
        }
        if self != .cls && tokens <= firstPatch {
            throw EmbeddingError.incompatibleModel("\(name) has \(tokens) tokens: none left for patch pooling after the class token and \(registers) register(s)")
        }
        guard tokens >= 1, b * tokens * h == t.values.count else {
            throw EmbeddingError.unexpectedShape(tensor: name, shape: "\(t.shape)", expected: "\(t.values.count) values and at least one token")
        }
        return Matrix(rows: b, columns: self == .clsMean ? 2 * h : h, values: (0..<b).flatMap { i -> [Float] in
            let tokenRow = { (j: Int) in t.values[((i * tokens + j) * h)..<((i * tokens + j + 1) * h)] }
            switch self {
            case .cls: return Array(tokenRow(0))
            case .mean: return Self.patchMean(tokenRow, from: firstPatch, to: tokens, h: h)
            case .clsMean: return Array(tokenRow(0)) + Self.patchMean(tokenRow, from: firstPatch, to: tokens, h: h)
            default: return Self.patchGeM(tokenRow, from: firstPatch, to: tokens, h: h, p: 3)
            }
        })
    }

    private static func patchMean(_ row: (Int) -> ArraySlice<Float>, from: Int, to: Int, h: Int) -> [Float] {
        var sum = [Double](repeating: 0, count: h)
        for j in from..<to { for (c, v) in row(j).enumerated() { sum[c] += Double(v) } }
        return sum.map { Float($0 / Double(to - from)) }
    }

    private static func patchGeM(_ row: (Int) -> ArraySlice<Float>, from: Int, to: Int, h: Int, p: Double) -> [Float] {
        var sum = [Double](repeating: 0, count: h)
        for j in from..<to { for (c, v) in row(j).enumerated() { sum[c] += Foundation.pow(Double(max(v, 1e-6)), p) } }
        return sum.map { Float(Foundation.pow($0 / Double(to - from), 1 / p)) }
    }
}

/// What one batch's poolings read: the model's declared outputs and, for poolings at a layer, the block outputs
/// (raw, and through the model's final LayerNorm when some pooling needs them so).
public struct PoolingInput {
    public var outputs: [String: Tensor]
    /// Block outputs by layer index as given (e.g. -2), as the graph returned them.
    public let blocks: [Int: Tensor]
    /// The model's final LayerNorm, applied to block outputs where asked (nil: none found).
    public let finalNorm: LayerNorm?
    /// `--layer-norm final`: `POOLING@LAYER` reads normed tokens (DINO's `get_intermediate_layers`); else raw (timm).
    public let normalizesLayers: Bool
    public let registers: Int
    /// The patch grid of the batch's input (height, width), for feature maps.
    public let grid: (height: Int, width: Int)?

    public init(outputs: [String: Tensor], blocks: [Int: Tensor] = [:], finalNorm: LayerNorm? = nil,
                normalizesLayers: Bool = true, registers: Int, grid: (height: Int, width: Int)? = nil) {
        self.grid = grid
        self.outputs = outputs
        self.blocks = blocks
        self.finalNorm = finalNorm
        self.normalizesLayers = normalizesLayers
        self.registers = registers
        // Each block is normed once, however many poolings read it (cls and mean at a layer, dino-linear's last block).
        normedBlocks = finalNorm.map { norm in
            blocks.compactMapValues { t in
                guard t.shape.last == norm.scale.count else { return nil }
                var normed = t
                norm.apply(to: &normed.values)
                return normed
            }
        } ?? [:]
    }

    /// The blocks through `finalNorm` (those whose last axis fits it).
    private let normedBlocks: [Int: Tensor]

    /// Block `layer`'s tokens, normed when asked.
    func block(_ layer: Int, normed: Bool) throws -> Tensor {
        guard let t = blocks[layer] else {
            throw EmbeddingError.missingOutput(output: "block \(layer)", neededBy: "pooling at layer \(layer)", available: blocks.keys.sorted().map(String.init))
        }
        guard normed else { return t }
        guard let finalNorm else {
            throw EmbeddingError.incompatibleModel("no final LayerNorm was found in the graph to apply to block \(layer)'s tokens; use --layer-norm none")
        }
        guard let normedTokens = normedBlocks[layer] else {
            throw EmbeddingError.unexpectedShape(tensor: "block output \(layer)", shape: "\(t.shape)", expected: "a last axis of \(finalNorm.scale.count), the final LayerNorm's width")
        }
        return normedTokens
    }
}

/// Several poolings from one forward pass, as typed: `cls,mean,gem` (duplicates dropped, order kept).
public struct PoolingList: Equatable, Sendable, CustomStringConvertible {
    public var values: [Pooling]

    public init(_ values: [Pooling]) { self.values = values }

    public init(parsing text: String) throws {
        var out = [Pooling]()
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            let p = try Pooling(parsing: part)
            if !out.contains(p) { out.append(p) }
        }
        guard !out.isEmpty else { throw EmbeddingError.invalidArgument("expected one or more of cls, mean, cls+mean, gem, pooler, output:NAME, POOLING@LAYER, dino-linear[:N]") }
        values = out
    }

    public var description: String { values.map(\.description).joined(separator: ",") }
}
