import Foundation

/// How one image-level vector is taken from a ViT's outputs (see seed 002 on prefix vs patch tokens).
///
/// Token layout of `last_hidden_state` [batch, tokens, hidden]: token 0 is the class token, tokens 1…R the
/// `num_register_tokens` registers (DINOv2 with registers), the rest are patch tokens.
public enum Pooling: Hashable, Sendable, CustomStringConvertible {
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

    public init(parsing text: String) throws {
        switch text {
        case "cls": self = .cls
        case "mean": self = .mean
        case "cls+mean": self = .clsMean
        case "gem": self = .gem
        case "pooler": self = .pooler
        default:
            guard text.hasPrefix("output:"), text.count > 7 else {
                throw EmbeddingError.invalidArgument("unknown pooling '\(text)' (accepted: cls, mean, cls+mean, gem, pooler, output:NAME)")
            }
            self = .output(String(text.dropFirst(7)))
        }
    }

    /// A comma-separated list, e.g. `cls,mean,gem`.
    public static func list(parsing text: String) throws -> [Pooling] { try PoolingList(parsing: text).values }

    public var description: String {
        switch self {
        case .cls: "cls"
        case .mean: "mean"
        case .clsMean: "cls+mean"
        case .gem: "gem"
        case .pooler: "pooler"
        case .output(let name): "output:\(name)"
        }
    }

    /// The folder a pooling's set goes to when `embed` writes several (`output:image_embeds` → `output_image_embeds`).
    public var folderName: String { Self.folderName(for: description) }

    /// The folder of the pooling named `name` (as a manifest records poolings).
    public static func folderName(for name: String) -> String {
        name.replacingOccurrences(of: ":", with: "_").replacingOccurrences(of: "/", with: "_")
    }

    /// The model output this pooling reads.
    public var outputName: String {
        switch self {
        case .cls, .mean, .clsMean, .gem: "last_hidden_state"
        case .pooler: "pooler_output"
        case .output(let name): name
        }
    }

    /// Pools a batch of model outputs into `batch × d` rows.
    /// - Parameter registers: register tokens after the class token (config.json's `num_register_tokens`).
    public func pool(_ outputs: [String: Tensor], registers: Int) throws -> Matrix {
        guard let t = outputs[outputName] else {
            throw EmbeddingError.missingOutput(output: outputName, neededBy: "pooling '\(self)'", available: outputs.keys.sorted())
        }
        switch self {
        case .pooler, .output:
            guard t.shape.count == 2 else {
                throw EmbeddingError.unexpectedShape(tensor: "model output '\(outputName)'", shape: "\(t.shape)", expected: "pooling '\(self)' needs a 2-D [batch, d] output")
            }
            return Matrix(rows: t.shape[0], columns: t.shape[1], values: t.values)
        case .cls, .mean, .clsMean, .gem:
            guard t.shape.count == 3 else {
                throw EmbeddingError.unexpectedShape(tensor: "model output '\(outputName)'", shape: "\(t.shape)", expected: "pooling '\(self)' needs [batch, tokens, hidden]")
            }
            let (b, tokens, h) = (t.shape[0], t.shape[1], t.shape[2])
            let firstPatch = 1 + registers
            if self != .cls && tokens <= firstPatch {
                throw EmbeddingError.incompatibleModel("model output '\(outputName)' has \(tokens) tokens: none left for patch pooling after the class token and \(registers) register(s)")
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
        guard !out.isEmpty else { throw EmbeddingError.invalidArgument("expected one or more of cls, mean, cls+mean, gem, pooler, output:NAME") }
        values = out
    }

    public var description: String { values.map(\.description).joined(separator: ",") }
}
