import ArgumentParser
import Embeval
import Foundation

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Data health from embeddings: exact and near duplicates, label-error candidates, outliers, uniqueness.",
        discussion: """
        One exact leave-one-out search (k nearest, cosine of L2-normalised embeddings) feeds every list. Label-error \
        candidates: cleanlab's confident learning on out-of-sample kNN class probabilities (prune by noise rate, ranked \
        by self-confidence). Outliers: mean distance to the k nearest above Q3 + 1.7 IQR (cleanlab). Near duplicates: \
        every pair with cosine ≥ --duplicate-threshold, grouped; cleanlab's relative rule is counted beside it. Exact \
        duplicates: identical preprocessed model inputs and identical file bytes (with --embeddings: identical rows).
        """
    )

    @OptionGroup var model: ModelOptions
    @OptionGroup var data: DatasetOptions
    @Option(help: "Precomputed embeddings instead of a model and dataset: a .npy (N×d; ids.txt beside it names the rows), a folder embed or merge wrote, shard folders (repeat), or a folder holding them.")
    var embeddings: [String] = []

    @Option(help: "Labels of --embeddings (.npy integers); a folder embed wrote carries its own. Without labels, no label-error candidates or class figures.")
    var labels: String?

    @Option(help: "Precomputed train embeddings: their near duplicates among the audited rows are listed as leaks.")
    var trainEmbeddings: [String] = []

    @Option(help: "Labels of --train-embeddings (.npy integers; optional: leaks need none).")
    var trainLabels: String?

    @Option(name: .customShort("k"), help: "Neighbours per sample.")
    var k = 10

    @Option(help: "Pairs with cosine at or above this are near duplicates, in (0, 1]; auto: 1 − 0.13 × the median nearest-neighbour distance.")
    var duplicateThreshold = "auto"

    func validate() throws {
        if embeddings.isEmpty && (labels != nil || !trainEmbeddings.isEmpty || trainLabels != nil) {
            throw ValidationError("--labels and --train-embeddings go with --embeddings")
        }
        if trainEmbeddings.isEmpty && trainLabels != nil { throw ValidationError("--train-labels goes with --train-embeddings") }
        try refuseOverlappingOutputs(json: output.json, html: html, plots: nil,
                                     inputs: (embeddings.map { ("--embeddings", $0) } + trainEmbeddings.map { ("--train-embeddings", $0) }).map { (flag: $0.0, path: Optional($0.1)) }
                                        + [("--labels", labels), ("--train-labels", trainLabels)])
        if duplicateThreshold != "auto" && Double(duplicateThreshold) == nil {
            throw ValidationError("--duplicate-threshold '\(duplicateThreshold)': expected a cosine in (0, 1] or auto")
        }
    }

    @Option(help: "List at most this many near-duplicate pairs (the most similar); groups are always complete.")
    var pairLimit = 1_000_000

    @Option(help: "Also list the audited samples that are near duplicates of this split's (train/test leaks).")
    var trainSplit: String?

    @Option(help: "Write one CSV per list and samples.csv (every sample's scores) into this folder.")
    var lists: String?

    @Option(help: "Also write a page of the lists with thumbnails: label-error candidates beside their nearest neighbours, duplicate groups side by side, outliers, leaks, classes by purity.")
    var html: String?

    @OptionGroup var output: OutputOptions

    func run() throws {
        let settings = try DataAudit.Settings(k: k, duplicateSimilarity: Double(duplicateThreshold), pairLimit: pairLimit)
        if let lists { try AuditReport.checkListsTarget(URL(fileURLWithPath: lists)) }
        if let html { try checkPageTarget(html) }
        let source: EmbeddingSource
        if !embeddings.isEmpty {
            try data.refuseSubsetOfSavedRows()
            try model.refuseBesideSavedRows()
            source = .files(PrecomputedOptions.files(embeddings, labels: labels),
                            train: trainEmbeddings.isEmpty ? nil : PrecomputedOptions.files(trainEmbeddings, labels: trainLabels))
        } else {
            guard !model.model.isEmpty else { throw ValidationError("-m MODEL is required (or pass --embeddings and --labels)") }
            source = .model(try model.backboneSpec(), try data.requiredSelection(), train: try trainSplit.map { try TrainSplit($0) })
        }
        let report = try AuditTask(source: source, settings: settings, modelName: model.modelId)
            .run(try output.context(batchSize: model.embedding.batchSize, data: data))
        try output.emit(report, text: report.text())
        if let lists { try report.writeLists(to: URL(fileURLWithPath: lists)) }
        if let html {
            let context = try output.context(batchSize: model.embedding.batchSize, data: data)
            let page = AuditPage(report: report, images: try data.selection()?.load(), limits: context.imageLimits)
            if let mismatch = page.imagesMismatch {
                printWarning("--html: no thumbnails: \(mismatch) (another split or dataset than the embeddings'?)")
            }
            try page.write(to: html)
        }
    }
}
