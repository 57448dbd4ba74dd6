import ArgumentParser
import Embeval
import Foundation

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
    @OptionGroup var fewShot: FewShotOptions
    @OptionGroup var precomputed: PrecomputedOptions
    @OptionGroup var sharding: ShardOptions

    @Option(help: "With --shard: the folder to write this shard's neighbours into (indices.npy, similarities.npy).")
    var neighboursOutput: String?

    @Option(parsing: .upToNextOption, help: "Vote with the neighbours that knn --shard wrote (shard folders, or a folder holding them) instead of searching.")
    var mergeNeighbours: [String] = []

    @Option(help: "Also write a page explaining the run: confusion matrix, most confused pairs with thumbnails, per-class recall with 95 % intervals, accuracy against k.")
    var html: String?

    @Option(help: "Also write the page's figures as SVG files into this folder (for documents).")
    var plots: String?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let html { try checkPageTarget(html) }
        try refuseOverlappingOutputs(json: output.json, html: html, plots: plots, inputs: precomputed.inputFiles)
        if let plots { try ReportPlots.checkTarget(URL(fileURLWithPath: plots)) }
        if !mergeNeighbours.isEmpty && (sharding.shard != nil || neighboursOutput != nil) {
            throw ValidationError("--merge-neighbours joins the shards' neighbours: it does not go with --shard or --neighbours-output")
        }
    }

    func run() throws {
        let shard = mergeNeighbours.isEmpty ? try sharding.assignment().flatMap { $0.shard.isWhole ? nil : $0 } : nil
        if let shard {
            guard let neighboursOutput else {
                throw ValidationError("knn shard \(shard.shard) (from \(shard.origin)) writes its queries' neighbours: give --neighbours-output DIR (or --shard 0/1 for one process)")
            }
            guard let source = precomputed.source() else {
                throw ValidationError("knn --shard searches precomputed embeddings: give --embeddings (embed --shard i/n shards the embedding)")
            }
            let task = KNNTask(source: source, settings: try knn.settings())
            let outcome = try task.searchShard(shard.shard, into: URL(fileURLWithPath: neighboursOutput),
                                               context: try output.context(batchSize: model.embedding.batchSize, data: data))
            let r = outcome.record
            print(String(format: "neighbours of queries %d..<%d of %d (shard %@, k=%d, %@) → %@ in %.2fs", r.shard.start, r.shard.end, r.queries,
                         r.shard.description, r.k, r.protocol.rawValue, outcome.output.path, outcome.seconds))
            return
        }
        if neighboursOutput != nil { throw ValidationError("--neighbours-output goes with --shard i/n") }
        try runKNN(model: model, data: data, knn: knn, fewShot: fewShot, precomputed: precomputed, output: output,
                   neighbourShards: mergeNeighbours.isEmpty ? nil : mergeNeighbours.map { URL(fileURLWithPath: $0) }, html: html, plots: plots)
    }
}

/// `embeval knn` and `embeval eval --task image-feature-extraction`: one kNN task, its table and JSON.
func runKNN(model: ModelOptions, data: DatasetOptions, knn: KNNOptions, fewShot: FewShotOptions? = nil,
            precomputed: PrecomputedOptions, output: OutputOptions, neighbourShards: [URL]? = nil, html: String? = nil, plots: String? = nil) throws {
    let source = try embeddingSource(model: model, data: data, precomputed: precomputed, train: knn.trainSplit)
    if neighbourShards != nil, case .model = source {
        throw ValidationError("--merge-neighbours votes on precomputed embeddings: give the --embeddings the shards searched")
    }
    let task = KNNTask(source: source, settings: try knn.settings(fewShot: fewShot), modelName: model.modelId, neighbourShards: neighbourShards)
    let context = try output.context(batchSize: model.embedding.batchSize, data: data)
    let outcome = try task.run(context)
    try output.emit(outcome.report, text: outcome.report.text())
    if html != nil || plots != nil {
        let page = try KNNPage(outcome: outcome, limits: context.imageLimits)
        if let html { try page.write(to: html) }
        if let plots { try ReportPlots.write(page.figures(), to: URL(fileURLWithPath: plots)) }
    }
}
