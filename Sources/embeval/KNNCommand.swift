import ArgumentParser
import Embeval

struct KNNCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "knn",
        abstract: "kNN top-1/top-5 accuracy of a backbone's embeddings (leave-one-out or train/test).",
        discussion: """
        The classes present among a sample's k nearest neighbours (cosine similarity of L2-normalised embeddings) are \
        ranked by summed vote weight, ties broken by the smaller class id; top-1 is the first, a top-5 hit means the \
        true class is among the first five.
        """
    )

    @OptionGroup var model: ModelOptions
    @OptionGroup var data: DatasetOptions
    @OptionGroup var knn: KNNOptions
    @OptionGroup var precomputed: PrecomputedOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try runKNN(model: model, data: data, knn: knn, precomputed: precomputed, output: output)
    }
}

/// `embeval knn` and `embeval eval --task image-feature-extraction`: one kNN task, its table and JSON.
func runKNN(model: ModelOptions, data: DatasetOptions, knn: KNNOptions, precomputed: PrecomputedOptions,
            output: OutputOptions) throws {
    let source: EmbeddingSource
    if let files = precomputed.source() {
        source = files
    } else {
        guard !model.model.isEmpty else { throw ValidationError("-m MODEL is required (or pass --embeddings and --labels)") }
        source = .model(try model.imageSpec(), try data.requiredSelection(), train: try knn.train())
    }
    let task = KNNTask(source: source, settings: try knn.settings(), modelName: model.modelId)
    let outcome = try task.run(try output.context(batchSize: model.embedding.batchSize, data: data))
    try output.emit(outcome.report, text: outcome.report.text())
}
