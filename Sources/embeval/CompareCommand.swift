import ArgumentParser
import Embeval
import Foundation

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Regression verdict: a candidate model (quantised, converted) against its baseline on the same samples.",
        discussion: """
        Per metric: both values, the delta in percentage points with a 95% CI from a paired bootstrap over samples, \
        and McNemar's exact test on per-sample top-1 correctness. PASS when the whole CI lies within ±tolerance, FAIL \
        when it lies wholly outside, INCONCLUSIVE otherwise; top-1 metrics decide. Label-free agreement (per-sample \
        cosine, neighbour overlap@k) is printed with every comparison; --task agreement runs only that, on unlabeled \
        folders too. Exit codes: 0 PASS, 1 FAIL, 3 INCONCLUSIVE, 2 bad input.
        """
    )

    enum Task: String, ExpressibleByArgument, CaseIterable { case knn, zeroShot = "zero-shot", agreement }

    @Option(help: ArgumentHelp("The baseline: a model (as -m; repeat for image-encoder=/text-encoder= roles).", valueName: "model"))
    var baseline: [String] = []

    @Option(help: ArgumentHelp("The candidate: a model (as -m; repeat for roles).", valueName: "model"))
    var candidate: [String] = []

    @Option(help: "Precomputed baseline embeddings (.npy, rows in dataset order) instead of a baseline model.")
    var baselineEmbeddings: String?

    @Option(help: "Precomputed candidate embeddings (.npy) instead of a candidate model.")
    var candidateEmbeddings: String?

    @Option(help: "Labels (.npy) when both sides are precomputed and no --dataset is given.")
    var labels: String?

    @Option(help: "knn, zero-shot, or agreement (label-free only).")
    var task: Task = .knn

    @Option(help: "Largest acceptable |delta| in percentage points.")
    var tolerance: Double = 0.5

    @Option(help: "Bootstrap resamples (seeded by --seed).")
    var bootstrap: Int = 2000

    @Option(help: "k of the neighbour-overlap agreement.")
    var overlapK: Int = 10

    @OptionGroup var embedding: EmbeddingOptions
    @OptionGroup var data: DatasetOptions
    @OptionGroup var knn: KNNOptions
    @OptionGroup var prompts: PromptOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if !(tolerance > 0) { throw ValidationError("--tolerance must be > 0, got \(tolerance)") }
        if bootstrap < 100 { throw ValidationError("--bootstrap must be ≥ 100, got \(bootstrap)") }
        if baseline.isEmpty == (baselineEmbeddings == nil) { throw ValidationError("give the baseline as --baseline MODEL or --baseline-embeddings FILE (one of them)") }
        if candidate.isEmpty == (candidateEmbeddings == nil) { throw ValidationError("give the candidate as --candidate MODEL or --candidate-embeddings FILE (one of them)") }
        if task == .zeroShot && (baseline.isEmpty || candidate.isEmpty) { throw ValidationError("--task zero-shot compares two models: --baseline and --candidate") }
        if overlapK < 1 { throw ValidationError("--overlap-k must be ≥ 1") }
    }

    func run() throws {
        let start = Date()
        let report = task == .zeroShot ? try zeroShot(start: start) : try embeddingsTask(start: start)
        print(report.text())
        if let json = output.json { try report.json().write(to: URL(fileURLWithPath: json)) }
        if task != .agreement && report.verdict != .pass { throw ExitCode(report.verdict.exitCode) }
    }

    /// One side's embeddings (per pooling) of the query set and, for train-test, of the train set.
    struct SideEmbeddings { var name: String; var metadata: JSONValue; var sets: [(pooling: String, query: Embeddings, train: Embeddings?)] }

    func embeddingsTask(start: Date) throws -> ComparisonReport {
        let proto = knn.resolvedProtocol()
        let needsDataset = !baseline.isEmpty || !candidate.isEmpty || labels == nil && task == .knn
        let dataset = needsDataset ? try data.load() : nil
        let trainSet = dataset != nil && proto == .trainTest && task == .knn
            ? try data.load(split: knn.trainSplit, samples: knn.trainSamples) : nil
        let extractor = EmbeddingExtractor(batchSize: embedding.batchSize, onBadImage: data.onBadImage)

        func side(_ spec: [String], _ file: String?, role: String) throws -> SideEmbeddings {
            if let file {
                let matrix = try NumpyArray.readMatrix(at: URL(fileURLWithPath: file))
                let reference: (labels: [Int], ids: [String], classes: [String])
                if let dataset {
                    // Embeddings written by `embeval embed` carry their class list: it must be the dataset's.
                    let classesFile = URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("classes.txt")
                    if let text = try? String(contentsOf: classesFile, encoding: .utf8) {
                        let listed = text.split(separator: "\n").map(String.init)
                        guard listed == dataset.classes else {
                            throw EmbevalError.input("\(role) embeddings' '\(classesFile.path)' lists classes \(listed.prefix(3))… but dataset '\(dataset.name)' has \(dataset.classes.prefix(3))…: the two sides disagree on the classes")
                        }
                    }
                    reference = (dataset.labels, dataset.ids, dataset.classes)
                } else if let labels {
                    let values = try NumpyArray.readLabels(at: URL(fileURLWithPath: labels))
                    reference = (values, (0..<values.count).map(String.init), (0...(values.max() ?? 0)).map(String.init))
                } else {
                    reference = ([Int](repeating: 0, count: matrix.rows), (0..<matrix.rows).map(String.init), ["unlabeled"])
                }
                guard matrix.rows == reference.labels.count else {
                    throw EmbevalError.input("\(role) embeddings '\(file)' have \(matrix.rows) rows but the samples are \(reference.labels.count): both sides must cover the same samples")
                }
                if proto == .trainTest && task == .knn {
                    throw EmbevalError.usage("--protocol train-test needs models on both sides (precomputed train embeddings are not supported in compare)")
                }
                return SideEmbeddings(name: URL(fileURLWithPath: file).lastPathComponent, metadata: .object([("embeddings", .string(file))]),
                                      sets: [("precomputed", try Embeddings(matrix: matrix, labels: reference.labels, ids: reference.ids, classes: reference.classes), nil)])
            }
            let model = try embedding.imageModel(spec)
            let query = try extractor.extract(dataset!, with: model)
            let train = try trainSet.map { try extractor.extract($0, with: model) }
            for s in query.skipped { warn("\(role): skipped '\(s.id)': \(s.reason)") }
            return SideEmbeddings(name: model.name, metadata: model.metadata, sets: model.poolings.map {
                ($0.description, query.embeddings[$0]!, train?.embeddings[$0])
            })
        }

        let extractStart = Date()
        let a = try side(baseline, baselineEmbeddings, role: "baseline")
        let b = try side(candidate, candidateEmbeddings, role: "candidate")
        let extractSeconds = Date().timeIntervalSince(extractStart)
        guard a.sets.count == b.sets.count || a.sets.count == 1 || b.sets.count == 1 else {
            throw EmbevalError.usage("the two sides give different pooling lists")
        }

        var metrics = [ComparedMetric](), agreement: EmbeddingAgreement? = nil, samples = 0
        for index in 0..<max(a.sets.count, b.sets.count) {
            let sa = a.sets[min(index, a.sets.count - 1)], sb = b.sets[min(index, b.sets.count - 1)]
            let common = Set(sa.query.ids).intersection(sb.query.ids)
            let qa = sa.query.restricted(to: common), qb = sb.query.restricted(to: common)
            guard qa.count == qb.count else {
                throw EmbevalError.input("baseline and candidate give different sample ids: they must embed the same samples")
            }
            guard qa.classes == qb.classes || task == .agreement else {
                throw EmbevalError.input("baseline and candidate disagree on the classes (\(qa.classes.prefix(3))… vs \(qb.classes.prefix(3))…)")
            }
            _ = try EmbeddingHealth(qa, seed: data.seed)
            _ = try EmbeddingHealth(qb, seed: data.seed)
            samples = qa.count
            if index == 0 { agreement = try EmbeddingAgreement(baseline: qa, candidate: qb, k: overlapK) }
            guard task == .knn else { continue }
            let ks = try knn.ks(), weighting = knn.weighting ?? proto.defaultWeighting
            let ea = try KNNEvaluation(qa, train: sa.train, ks: ks, weighting: weighting, temperature: knn.temperature)
            let eb = try KNNEvaluation(qb, train: sb.train, ks: ks, weighting: weighting, temperature: knn.temperature)
            let pooling = a.sets.count > 1 || b.sets.count > 1 ? sa.pooling : nil
            for (ra, rb) in zip(ea.results, eb.results) {
                metrics.append(ComparedMetric(name: "top1_accuracy", k: ra.k, pooling: pooling,
                                              baselineCorrect: zip(ra.predictions, qa.labels).map { $0 == $1 },
                                              candidateCorrect: zip(rb.predictions, qb.labels).map { $0 == $1 },
                                              tolerance: tolerance, resamples: bootstrap, seed: data.seed, decisive: true))
                metrics.append(ComparedMetric(name: "top5_accuracy", k: ra.k, pooling: pooling,
                                              baselineCorrect: ra.top5Hits, candidateCorrect: rb.top5Hits,
                                              tolerance: tolerance, resamples: bootstrap, seed: data.seed, decisive: false))
            }
        }
        return ComparisonReport(
            task: task == .knn ? "knn (\(proto.rawValue))" : "agreement", tolerance: tolerance, samples: samples,
            resamples: bootstrap, metrics: metrics, agreement: agreement, baselineName: a.name, candidateName: b.name,
            baseline: a.metadata, candidate: b.metadata,
            dataset: .object([("name", dataset.map { .string($0.name) } ?? .null), ("split", dataset?.split.map { .string($0) } ?? .null),
                              ("samples", .int(samples))]),
            timings: [("embedding", extractSeconds), ("total", Date().timeIntervalSince(start))])
    }

    func zeroShot(start: Date) throws -> ComparisonReport {
        let dataset = try data.load()
        let templates = try prompts.resolvedTemplates()
        let classNames = try prompts.classnames.map { try ClassNames.load(from: URL(fileURLWithPath: $0)) }
            ?? ClassNames.validated(dataset.classes, source: "dataset '\(dataset.name)'")
        let extractor = EmbeddingExtractor(batchSize: embedding.batchSize, onBadImage: data.onBadImage)

        func side(_ spec: [String]) throws -> (model: TwoTowerModel, images: Embeddings, result: ZeroShotResult) {
            let model = try embedding.twoTowerModel(spec, tokenizer: prompts.tokenizer)
            let prompts = classNames.flatMap { name in templates.map { $0.prompt(for: name) } }
            let classes = ZeroShotClassifier.classEmbeddings(try model.text.embed(prompts), classes: classNames.count, templates: templates.count)
            let images = try extractor.extract(dataset, with: model.image).embeddings[model.image.poolings[0]]!
            guard images.dimension == classes.columns else {
                throw EmbevalError.input("\(model.name): image embeddings are \(images.dimension)-dimensional but text embeddings \(classes.columns)-dimensional")
            }
            return (model, images, ZeroShotClassifier.evaluate(images: images.matrix, labels: images.labels, classEmbeddings: classes))
        }
        let a = try side(baseline), b = try side(candidate)
        guard a.images.ids == b.images.ids else {
            throw EmbevalError.input("baseline and candidate embedded different samples (skipped images differ): rerun with --on-bad-image fail to see which")
        }
        let labels = a.images.labels
        let metrics = [
            ComparedMetric(name: "top1_accuracy", baselineCorrect: zip(a.result.predictions, labels).map { $0 == $1 },
                           candidateCorrect: zip(b.result.predictions, labels).map { $0 == $1 },
                           tolerance: tolerance, resamples: bootstrap, seed: data.seed, decisive: true),
            ComparedMetric(name: "top5_accuracy", baselineCorrect: a.result.top5Hits, candidateCorrect: b.result.top5Hits,
                           tolerance: tolerance, resamples: bootstrap, seed: data.seed, decisive: false),
        ]
        return ComparisonReport(
            task: "zero-shot", tolerance: tolerance, samples: labels.count, resamples: bootstrap, metrics: metrics,
            agreement: try EmbeddingAgreement(baseline: a.images, candidate: b.images, k: overlapK),
            baselineName: a.model.name, candidateName: b.model.name, baseline: a.model.metadata, candidate: b.model.metadata,
            dataset: .object([("name", .string(dataset.name)), ("split", dataset.split.map { .string($0) } ?? .null),
                              ("samples", .int(labels.count))]),
            timings: [("total", Date().timeIntervalSince(start))])
    }
}
