/// The text tower of a two-tower model: prompts → the model's tokenizer → ONNX → one vector per prompt
/// (`text_embeds` of CLIP with projection, else `pooler_output` as SigLIP's).
public struct TextEncoder: Sendable {
    public let tokenizer: TextTokenizer
    let session: InferenceSession
    public let outputName: String
    let takesAttentionMask: Bool
    /// BERT-style towers (ALIGN) also take `token_type_ids`: all 0 for a single text.
    let takesTokenTypes: Bool
    /// Inputs of the other tower that a combined graph requires (a dummy image for CLIP's text side).
    let otherTower: OtherTowerFeeds
    let maximumBatchSize: Int?
    let staticLength: Int?
    public var batchSize = 64

    public init(session: InferenceSession, tokenizer: TextTokenizer, otherTower: OtherTowerFeeds = OtherTowerFeeds()) throws {
        guard let ids = session.input(named: "input_ids") else {
            throw EmbeddingError.incompatibleModel("text encoder '\(session.modelPath)' has no input 'input_ids'; inputs: \(session.inputs.map(\.name).joined(separator: ", "))")
        }
        guard let output = session.output(named: "text_embeds") ?? session.output(named: "pooler_output") else {
            throw EmbeddingError.incompatibleModel("text encoder '\(session.modelPath)' has neither 'text_embeds' nor 'pooler_output'; outputs: \(session.outputs.map(\.name).joined(separator: ", "))")
        }
        guard output.shape.count == 2 else {
            throw EmbeddingError.unexpectedShape(tensor: "text encoder output '\(output.name)'", shape: output.shapeDescription, expected: "expected a 2-D [batch, d] output")
        }
        self.session = session
        self.tokenizer = tokenizer
        self.outputName = output.name
        self.takesAttentionMask = session.input(named: "attention_mask") != nil
        self.takesTokenTypes = session.input(named: "token_type_ids") != nil
        self.otherTower = otherTower
        self.maximumBatchSize = ids.shape.first ?? nil
        self.staticLength = ids.shape.count == 2 ? ids.shape[1] : nil
        // Prompts are padded to a static length: one no text tower takes would size that padding from the model file.
        if let staticLength, staticLength > ResizedTokenizer.lengths.upperBound {
            throw EmbeddingError.incompatibleModel("text encoder '\(session.modelPath)' input 'input_ids' \(ids.shapeDescription) takes \(staticLength) tokens; Embeval pads prompts to at most \(ResizedTokenizer.lengths.upperBound)")
        }
    }

    /// Embeddings of `texts`, one row each. Every text is padded to one length — the longest, as the HF zero-shot
    /// pipeline tokenizes its candidate labels in one call, or the tokenizer's or the model's fixed length — a batch
    /// at a time, so that padding never takes more memory than a batch.
    public func embed(_ texts: [String]) throws -> Matrix {
        let encoded = texts.map(tokenizer.encode), longest = encoded.map(\.count).max() ?? 0
        // What the tokenizer pads to; a model's static input length pads further (SigLIP reads its last position).
        let needed = max(tokenizer.fixedLength ?? 0, longest), length = staticLength ?? needed
        guard needed <= length else {
            throw EmbeddingError.incompatibleModel("text encoder input 'input_ids' takes \(length) tokens; the prompts need \(needed)")
        }
        let size = max(1, min(batchSize, maximumBatchSize ?? batchSize))
        var rows = [Float](), width = 0
        for start in stride(from: 0, to: texts.count, by: size) {
            let range = start..<min(start + size, texts.count)
            let shape = [range.count, length], tokens = tokenizer.pad(encoded[range], to: length)
            var feeds = otherTower.feeds(forBatch: range.count)
            feeds["input_ids"] = .int64(shape: shape, values: tokens.ids.flatMap { $0.map(Int64.init) })
            if takesAttentionMask {
                feeds["attention_mask"] = .int64(shape: shape, values: tokens.attentionMask.flatMap { $0.map(Int64.init) })
            }
            if takesTokenTypes {
                feeds["token_type_ids"] = .int64(shape: shape, values: [Int64](repeating: 0, count: range.count * length))
            }
            guard let out = try session.run(feeds, outputNames: [outputName])[outputName], out.shape.count == 2, out.shape[0] == range.count else {
                throw EmbeddingError.unexpectedShape(tensor: "text encoder output '\(outputName)'", shape: "missing or not [\(range.count), d]",
                                                     expected: "one row per prompt of the batch")
            }
            // Every batch's rows must be as wide as the first's, so that they join into one matrix.
            guard out.shape[1] >= 1, width == 0 || out.shape[1] == width else {
                throw EmbeddingError.incompatibleModel("text encoder '\(session.modelPath)' output '\(outputName)' gave rows of width \(out.shape[1])\(width == 0 ? "" : " after rows of width \(width)"): every prompt needs one row of one width")
            }
            width = out.shape[1]
            rows += out.values
        }
        // NaN or Inf (an fp16 tower that overflows) would make every cosine NaN and every argmax the first class.
        let bad = texts.indices.filter { r in rows[(r * width)..<((r + 1) * width)].contains { !$0.isFinite } }
        guard bad.isEmpty else {
            throw EmbeddingError.nonFinite(count: bad.count, ids: bad.prefix(5).map { texts[$0] },
                                           source: "text encoder '\(session.modelPath)' output '\(outputName)' of the prompts")
        }
        return Matrix(rows: texts.count, columns: width, values: rows)
    }
}
