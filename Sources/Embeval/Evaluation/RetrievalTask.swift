import Foundation

/// Retrieval: image → image on a labelled set (a backbone's embeddings, relevant = same class), or image ↔ text
/// with a two-tower model over images and their captions (relevant = the image's own captions).
public struct RetrievalTask: EvaluationTask {
    public enum Mode: Sendable {
        /// Each image queries all the others (the self excluded); a same-class image is relevant.
        case imageToImage(EmbeddingSource)
        /// Every caption is embedded and keeps its image: text → image and image → text.
        case imageText(TwoTowerSpec, DatasetSelection)
    }

    public var mode: Mode
    /// The k of recall@k, positive, duplicates dropped.
    public var ks: [Int]
    public var modelName: String?

    public static let defaultKs = [1, 5, 10]

    public init(mode: Mode, ks: [Int] = RetrievalTask.defaultKs, modelName: String? = nil) throws {
        guard !ks.isEmpty, ks.allSatisfy({ $0 >= 1 }) else {
            throw EvaluationError.invalidParameter(name: "--recall-k", value: "\(ks)", expected: "positive integers")
        }
        var seen = Set<Int>()
        self.mode = mode
        self.ks = ks.filter { seen.insert($0).inserted }
        self.modelName = modelName
    }

    public struct Prepared: PreparedEvaluation {
        /// The images' embeddings (the image tower's for a two-tower model).
        public var embedded: EmbeddedData
        /// Image ↔ text only: one row per caption, and the row of `embedded`'s images each belongs to.
        public var captions: Matrix?
        public var captionImage: [Int]
        public var textOutput: String?

        /// Keeps the images `ids` (in that order) and the captions of those images.
        public func aligned(to ids: [String]) throws -> Prepared {
            var copy = self
            copy.embedded = try embedded.aligned(to: ids)
            guard let captions else { return copy }
            let newRow = Dictionary(ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            let newOfOld = embedded.sampleIDs.map { newRow[$0] }
            // Captions in the new image order, each image's in its original order.
            let order = captionImage.indices.filter { newOfOld[captionImage[$0]] != nil }
                .sorted { (newOfOld[captionImage[$0]] ?? 0, $0) < (newOfOld[captionImage[$1]] ?? 0, $1) }
            copy.captions = captions.selectingRows(order)
            copy.captionImage = order.map { newOfOld[captionImage[$0]] ?? 0 }
            return copy
        }
    }

    public func prepare(_ context: EvaluationContext) throws -> Prepared {
        switch mode {
        case .imageToImage(let source):
            let embedded = try source.embed(context: context)
            guard embedded.isLabelled else {
                throw EvaluationError.missingInput("image → image retrieval counts same-class neighbours as relevant: give --labels, or --dataset for the samples the embeddings are")
            }
            return Prepared(embedded: embedded, captions: nil, captionImage: [], textOutput: nil)
        case .imageText(let spec, let selection):
            let started = Date()
            let images = try selection.load()
            for w in images.warnings { context.warn(w) }
            if let missing = images.samples.first(where: { $0.captions.isEmpty }) {
                throw EvaluationError.missingInput("dataset '\(images.name)': sample '\(missing.id)' has no captions: image ↔ text retrieval needs captions for every image (a manifest's caption column, or a WebDataset .txt)")
            }
            // Each image is one sample: a caption's relevant image must be one row (and rows are matched by id).
            var seen = Set<String>()
            if let twice = images.samples.first(where: { !seen.insert($0.id).inserted }) {
                throw EvaluationError.missingInput("image ↔ text retrieval: sample '\(twice.id)' is listed twice in dataset '\(images.name)': list each image once, with all its captions")
            }
            let twoTower = try spec.load(context)
            var timings = Timings()
            let texts = images.samples.flatMap(\.captions)
            let owners = images.samples.indices.flatMap { i in [Int](repeating: i, count: images.samples[i].captions.count) }
            let captions = try timings.measure("text") { try twoTower.text.embed(texts) }
            var embedded = try EmbeddingSource.extract(images, train: nil, with: twoTower.image, context: context)
            embedded.model = ModelInfo(name: twoTower.name, metadata: twoTower.metadata)
            embedded.timings = Timings(timings.stages + embedded.timings.stages)
            embedded.started = started
            try embedded.measureHealth(context: context)
            guard embedded.primary.dimension == captions.columns else {
                throw EvaluationError.towersDisagree(model: twoTower.name, image: embedded.primary.dimension, text: captions.columns)
            }
            // Skipped images take their captions with them.
            let kept = Dictionary(embedded.sampleIDs.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            let rowOfSample = images.samples.map { kept[$0.id] }
            let keptCaptions = owners.indices.filter { rowOfSample[owners[$0]] != nil }
            return Prepared(embedded: embedded, captions: captions.selectingRows(keptCaptions),
                            captionImage: keptCaptions.map { rowOfSample[owners[$0]] ?? 0 }, textOutput: twoTower.text.outputName)
        }
    }

    public func evaluate(_ prepared: Prepared, context: EvaluationContext) throws -> RetrievalOutcome {
        let data = prepared.embedded
        var timings = data.timings
        var results = [RetrievalReport.Result](), scores = [Score]()
        let smallest = ks.min() ?? 1
        try timings.measure("retrieval") {
            for (index, set) in data.sets.enumerated() {
                try onSet(data.origin(of: set)) {
                    // A k that reaches every candidate makes recall@k 100 % whatever the embeddings: say so.
                    let candidates = prepared.captions.map { [("image-to-text", $0.rows), ("text-to-image", set.query.count)] }
                        ?? [("image-to-image", set.query.count - 1)]
                    for (direction, count) in candidates {
                        for k in ks where k >= count {
                            context.warn("\(set.pooling), \(direction): k=\(k) reaches all \(count) candidates, so recall@\(k) is 100% by construction")
                        }
                    }
                    if let captions = prepared.captions {
                        let found = try CrossModalRetrievalScores(images: set.query.matrix, captions: captions,
                                                                  captionImage: prepared.captionImage, ks: ks)
                        for (direction, hits, recall) in [("image-to-text", found.imageToText, found.imageToTextRecall),
                                                          ("text-to-image", found.textToImage, found.textToImageRecall)] {
                            results.append(.init(pooling: set.pooling, direction: direction, queries: hits.first?.count ?? 0,
                                                 recallAtK: zip(ks, recall).map { ($0, $1) }, mapAtR: nil))
                            scores += zip(ks, zip(hits, recall)).map { k, pair in
                                Score(metric: .recallAtK, k: k, set: index, pooling: set.pooling, direction: direction,
                                      value: pair.1, correct: pair.0, decisive: k == smallest)
                            }
                        }
                    } else {
                        let found = try ImageRetrievalScores(set.query, ks: ks)
                        results.append(.init(pooling: set.pooling, direction: "image-to-image", queries: found.queries.count,
                                             recallAtK: zip(ks, found.recall).map { ($0, $1) }, mapAtR: found.meanAveragePrecisionAtR))
                        scores += zip(ks, zip(found.hits, found.recall)).map { k, pair in
                            Score(metric: .recallAtK, k: k, set: index, pooling: set.pooling, direction: "image-to-image",
                                  value: pair.1, correct: pair.0, decisive: k == smallest)
                        }
                        scores.append(Score(metric: .mapAtR, set: index, pooling: set.pooling, direction: "image-to-image",
                                            value: found.meanAveragePrecisionAtR, perSample: .values(found.averagePrecisionAtR)))
                        if Set(set.query.labels).count == 1 {
                            context.warn("\(set.pooling): all \(set.query.count) images share one class, so every result is relevant: recall@k and mAP@R are 100% by construction")
                        }
                        if found.queries.count < set.query.count {
                            context.warn("\(set.pooling): \(set.query.count - found.queries.count) image(s) are alone in their class: no relevant item, left out of recall and mAP@R")
                        }
                    }
                }
            }
        }
        timings.append("total", Date().timeIntervalSince(data.started))
        var requested = (pooling: "precomputed", samples: Int?.none)
        switch mode {
        case .imageToImage(let source): requested = (source.requested.pooling, source.requested.samples)
        case .imageText(_, let selection): requested = ("image tower", selection.samples)
        }
        let report = RetrievalReport(
            samples: data.primary.count, captions: prepared.captions?.rows, results: results,
            modelName: modelName ?? data.model.name, model: data.model.metadata, dataset: data.summary(),
            parameters: .init(recallK: ks, pooling: requested.pooling, batchSize: context.batchSize, seed: context.seed,
                              samplesRequested: requested.samples, textOutput: prepared.textOutput),
            health: data.healthSummaries, timings: timings)
        return RetrievalOutcome(report: report, scores: scores)
    }
}

/// A retrieval evaluation's report and the per-query outcomes behind it.
public struct RetrievalOutcome: EvaluationOutcome {
    public var report: RetrievalReport
    public var scores: [Score]
    public var summary: String { report.captions == nil ? "retrieval (image-to-image)" : "retrieval (image-text)" }
}
