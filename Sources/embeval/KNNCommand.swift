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
    @OptionGroup var precomputed: PrecomputedOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if precomputed.trainEmbeddings != nil && knn.knnProtocol == .leaveOneOut {
            throw ValidationError("--train-embeddings needs --protocol train-test")
        }
    }

    func run() throws {
        try KNNRun(model: model, data: data, knn: knn, precomputed: precomputed, output: output).execute()
    }
}

/// `embeval knn` and `embeval eval --task image-feature-extraction`: embed (or load), evaluate, report.
struct KNNRun {
    var model: ModelOptions
    var data: DatasetOptions
    var knn: KNNOptions
    var precomputed: PrecomputedOptions
    var output: OutputOptions
    /// The name reports give the model (the seed CLI's --model-id); defaults to the model's own.
    var displayName: String? = nil

    func execute() throws {
        let start = Date()
        let ks = try knn.ks(precomputed)
        let proto = knn.resolvedProtocol(precomputed)
        let weighting = knn.weighting ?? proto.defaultWeighting
        var timings = [(String, Double)]()

        // 1. Embeddings per pooling: loaded, or extracted with one forward pass per batch.
        var sets = [(pooling: String, test: Embeddings, train: Embeddings?)]()
        var modelName = "precomputed", modelInfo: JSONValue = .null
        var datasetName = "precomputed", split: String? = nil, trainSplit: String? = nil
        var skipped = [(id: String, reason: String)]()
        if let path = precomputed.embeddings, let labels = precomputed.labels {
            let test = try Embeddings.load(embeddings: URL(fileURLWithPath: path), labels: URL(fileURLWithPath: labels))
            var train: Embeddings? = nil
            if proto == .trainTest {
                guard let tPath = precomputed.trainEmbeddings, let tLabels = precomputed.trainLabels else {
                    throw EmbevalError.usage("--protocol train-test with --embeddings needs --train-embeddings and --train-labels")
                }
                train = try Embeddings.load(embeddings: URL(fileURLWithPath: tPath), labels: URL(fileURLWithPath: tLabels))
                trainSplit = "precomputed"
            }
            modelInfo = .object([("embeddings", .string(path)), ("labels", .string(labels))])
            datasetName = path
            sets = [("precomputed", test, train)]
        } else {
            guard !model.model.isEmpty else { throw EmbevalError.usage("-m MODEL is required (or pass --embeddings and --labels)") }
            let embedder = try model.load()
            modelName = displayName ?? embedder.name
            modelInfo = embedder.metadata
            let testSet = try data.load()
            datasetName = testSet.name
            split = testSet.split
            var trainSet: Dataset? = nil
            if proto == .trainTest {
                trainSet = try data.load(split: knn.trainSplit, samples: knn.trainSamples)
                trainSplit = trainSet!.split ?? knn.trainSplit
                guard trainSet!.classes == testSet.classes else {
                    throw EmbevalError.input("train split '\(knn.trainSplit)' has classes \(trainSet!.classes.prefix(5))… but the evaluated split has \(testSet.classes.prefix(5))…: they must match")
                }
            }
            let extractor = EmbeddingExtractor(batchSize: model.batchSize, onBadImage: data.onBadImage)
            let extracted = try extractor.extract(testSet, with: embedder,
                                                  progress: output.showsProgress ? Progress("embed \(testSet.split ?? "")", total: testSet.samples.count) : nil)
            skipped = extracted.skipped
            timings.append(("embedding", extracted.seconds))
            var trainExtracted: ExtractionResult? = nil
            if let trainSet {
                trainExtracted = try extractor.extract(trainSet, with: embedder,
                                                       progress: output.showsProgress ? Progress("embed \(trainSet.split ?? "train")", total: trainSet.samples.count) : nil)
                skipped += trainExtracted!.skipped
                timings.append(("embedding_train", trainExtracted!.seconds))
            }
            for pooling in embedder.poolings {
                let label = embedder is PixelModel ? "pixels" : pooling.description
                sets.append((label, extracted.embeddings[pooling]!, trainExtracted?.embeddings[pooling]))
            }
        }
        for s in skipped { warn("skipped '\(s.id)': \(s.reason)") }

        // 2. Health, then kNN, per pooling.
        var entries = [KNNReport.Entry]()
        var knnSeconds = 0.0
        for set in sets {
            let health = try EmbeddingHealth(set.test, seed: data.seed)
            if let train = set.train { _ = try EmbeddingHealth(train, seed: data.seed) }
            for w in health.warnings { warn("\(set.pooling): \(w)") }
            let knnStart = Date()
            defer { knnSeconds += Date().timeIntervalSince(knnStart) }
            let evaluation = try KNNEvaluation(set.test, train: proto == .trainTest ? set.train : nil, ks: ks,
                                               weighting: weighting, temperature: knn.temperature)
            for w in evaluation.warnings { warn(w) }
            entries.append(.init(pooling: set.pooling, evaluation: evaluation, health: health, dimension: set.test.dimension))
        }
        timings.append(("knn", knnSeconds))
        timings.append(("total", Date().timeIntervalSince(start)))

        let classes = sets.first.map { max($0.test.classes.count, ($0.test.labels.max() ?? 0) + 1) } ?? 0
        let report = KNNReport(
            modelName: modelName, model: modelInfo, datasetName: datasetName, split: split, trainSplit: trainSplit,
            classes: classes, entries: entries, skipped: skipped,
            parameters: [("k", .array(ks.map { .int($0) })), ("weighting", .string(weighting.rawValue)),
                         ("temperature", .number(knn.temperature)), ("pooling", .string(model.pooling)),
                         ("batch_size", .int(model.batchSize)), ("seed", .int(Int(data.seed))),
                         ("samples_requested", data.samples.map { .int($0) } ?? .null),
                         ("train_samples_requested", knn.trainSamples.map { .int($0) } ?? .null)],
            timings: timings)
        print(report.text())
        if let json = output.json { try report.json().write(to: URL(fileURLWithPath: json)) }
    }
}
