import Foundation

/// How an evaluation runs, whatever the task: batching, the bad-image policy, the seed of every random choice,
/// and where progress and warnings go.
public struct EvaluationContext: Sendable {
    /// Images per forward pass.
    public var batchSize: Int
    public var onBadImage: BadImagePolicy
    /// Images whose header declares more pixels are refused unread (or skipped under `.skip`).
    public var imageLimits = ImageLimits()
    /// Seeds subsets, bootstrap resamples, health samples and maps.
    public var seed: UInt64
    public var progress: (any ProgressSink)?
    public var diagnostics: any DiagnosticSink
    /// Fingerprint each preprocessed model input as it is made (`EmbeddedData.inputDigests`).
    public var digestsInputs = false

    public init(batchSize: Int = EmbeddingExtractor.defaultBatchSize, onBadImage: BadImagePolicy = .fail, seed: UInt64 = 0,
                progress: (any ProgressSink)? = nil, diagnostics: any DiagnosticSink = CollectedDiagnostics()) throws {
        guard batchSize >= 1 else { throw EvaluationError.invalidParameter(name: "--batch-size", value: "\(batchSize)", expected: "≥ 1") }
        self.batchSize = batchSize
        self.onBadImage = onBadImage
        self.seed = seed
        self.progress = progress
        self.diagnostics = diagnostics
    }

    /// The same context with every warning prefixed by `label` (the side of a comparison).
    public func labelled(_ label: String) -> EvaluationContext {
        var copy = self
        copy.diagnostics = LabelledDiagnostics(label: label, sink: diagnostics)
        return copy
    }

    func warn(_ message: String) { diagnostics.warn(message) }

    var extractor: EmbeddingExtractor {
        var extractor = EmbeddingExtractor(batchSize: batchSize, onBadImage: onBadImage, imageLimits: imageLimits)
        extractor.digestsInputs = digestsInputs
        return extractor
    }
}
