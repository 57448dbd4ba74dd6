/// Everything that can go wrong turning images into embeddings or reading embeddings back; each description is one
/// line naming the file, tensor or sample.
public enum EmbeddingError: UserError, Equatable {
    /// A file (`.npy`, `ids.txt`) that cannot be read at all.
    case unreadable(path: String, reason: String)
    /// A file whose content does not fit: `location` is the row to blame, if one is.
    case malformedFile(path: String, location: String?, reason: String)
    /// A model that cannot serve as this kind of embedder (no image input, wrong channels, missing tower output).
    case incompatibleModel(String)
    /// A model output a pooling or tower needs, which the model does not have.
    case missingOutput(output: String, neededBy: String, available: [String])
    /// A tensor whose shape does not fit its use: `tensor` names it (`model output 'x'`), `expected` says what fits.
    case unexpectedShape(tensor: String, shape: String, expected: String)
    /// Images of one batch that came out in different sizes.
    case differentSizes(first: String, other: String, remedy: String)
    /// Rows holding NaN or ±Inf (at most five ids are named), in the embeddings of `source` when known.
    case nonFinite(count: Int, ids: [String], source: String? = nil)
    /// Rows, labels and ids that do not describe the same samples.
    case mismatchedSamples(String)
    /// Embeddings that cannot mean anything, such as rows of zero width.
    case degenerate(String)
    /// Every image of the dataset failed to decode.
    case nothingEmbedded(dataset: String, skipped: Int)
    /// Rows to be kept in memory that would take more than their share of what the process may use; `held`: bytes of
    /// rows kept already (the evaluated set, when this is its train set), counted in `needed`.
    case tooLargeForMemory(dataset: String, rows: Int, columns: Int, needed: Int, held: Int = 0, available: Int)
    /// A batch whose model inputs (one of shape `input` per image, float32) would take `needed` bytes held `held`
    /// times over (`EmbeddingExtractor.batchesHeld` at most): more than half of the `available` bytes the process may
    /// use.
    case batchTooLarge(batchSize: Int, input: [Int], held: Int, needed: Int, available: Int)
    /// A model argument (`-m`, roles, poolings) or model option that cannot be used.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "cannot read '\(path)': \(reason)"
        case .malformedFile(let path, let location, let reason):
            return "'\(path)'" + (location.map { " \($0)" } ?? "") + ": \(reason)"
        case .incompatibleModel(let reason), .mismatchedSamples(let reason), .invalidArgument(let reason), .degenerate(let reason):
            return reason
        case .missingOutput(let output, let neededBy, let available):
            return "model has no output '\(output)' needed by \(neededBy); outputs: \(available.joined(separator: ", "))"
        case .unexpectedShape(let tensor, let shape, let expected):
            return "\(tensor) has shape \(shape); \(expected)"
        case .differentSizes(let first, let other, let remedy):
            return "images of one batch differ in size (\(first) and \(other)): \(remedy)"
        case .nonFinite(let count, let ids, let source):
            return (source.map { "\($0): " } ?? "") + "\(count) embedding row(s) hold NaN or Inf: ids "
                + ids.prefix(5).map { "'\($0)'" }.joined(separator: ", ") + (count > 5 ? ", …" : "")
        case .batchTooLarge(let batchSize, let input, let held, let needed, let available):
            // Smaller batches make more of them, each held up to `batchesHeld` times over.
            let perImage = EmbeddingExtractor.heldBytes(of: input, images: 1, held: EmbeddingExtractor.batchesHeld) ?? Int.max
            let fits = available / 2 / max(perImage, 1)
            return "--batch-size \(batchSize): a batch of \(batchSize) inputs of \(input.map(String.init).joined(separator: "×")) float32 values, "
                + "held \(held) times over while the next batches are prepared, would take "
                + "\(ProcessMemory.readable(needed)), more than half of the \(ProcessMemory.readable(available)) this process may use; "
                + (fits >= 1 ? "use --batch-size \(fits) or less" : "even a batch of 1 does not fit: raise the memory this process may use")
        case .nothingEmbedded(let dataset, let skipped):
            return "no image of dataset '\(dataset)' could be embedded (\(skipped) skipped)"
        case .tooLargeForMemory(let dataset, let rows, let columns, let needed, let held, let available):
            return "dataset '\(dataset)': \(rows) rows of \(columns) values would need \(ProcessMemory.readable(needed)) in memory"
                + (held > 0 ? " with the \(ProcessMemory.readable(held)) of rows already embedded" : "") + ", "
                + "more than half of the \(ProcessMemory.readable(available)) this process may use; write them to disk with "
                + "`embeval embed --output DIR` and pass the folder to --embeddings (read memory-mapped)"
        }
    }
}
