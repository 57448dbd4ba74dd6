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

    enum Task: String, ExpressibleByArgument, CaseIterable { case knn, zeroShot = "zero-shot", linear, cluster, retrieval, agreement }

    @Option(help: ArgumentHelp("The baseline: a model (as -m; repeat for image-encoder=/text-encoder= roles).", valueName: "model"))
    var baseline: [String] = []

    @Option(help: ArgumentHelp("The candidate: a model (as -m; repeat for roles).", valueName: "model"))
    var candidate: [String] = []

    @Option(help: "Precomputed baseline embeddings instead of a baseline model: a .npy (rows in dataset order), a folder embed or merge wrote, shard folders (repeat), or a folder holding them.")
    var baselineEmbeddings: [String] = []

    @Option(help: "Precomputed candidate embeddings instead of a candidate model (as --baseline-embeddings).")
    var candidateEmbeddings: [String] = []

    @Option(help: "Labels (.npy) when both sides are precomputed and no --dataset is given.")
    var labels: String?

    @Option(help: "Precomputed baseline train embeddings (kNN train-test, linear), as --baseline-embeddings.")
    var baselineTrainEmbeddings: [String] = []

    @Option(help: "Precomputed candidate train embeddings (kNN train-test, linear), as --baseline-embeddings.")
    var candidateTrainEmbeddings: [String] = []

    @Option(help: "Labels (.npy) of the precomputed train embeddings when they carry none.")
    var trainLabels: String?

    @Option(help: "knn, zero-shot, linear, cluster, retrieval, or agreement (label-free only).")
    var task: Task = .knn

    @Option(parsing: .unconditional, help: "Largest acceptable |delta| in percentage points.")
    var tolerance: Double = 0.5

    @Option(parsing: .unconditional, help: "Bootstrap resamples (seeded by --seed).")
    var bootstrap: Int = 2000

    @Option(parsing: .unconditional, help: "k of the neighbour-overlap agreement.")
    var overlapK: Int = 10

    @OptionGroup var embedding: EmbeddingOptions
    @OptionGroup var data: DatasetOptions
    @OptionGroup var knn: KNNOptions
    @OptionGroup var linear: LinearOptions
    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var normalization: NormalizationOptions
    @OptionGroup var retrieval: RetrievalOptions
    @OptionGroup var prompts: PromptOptions
    @Option(help: "Also write a page behind the verdict: forest plot of the deltas against the tolerance, per-class deltas, the samples the two models embed least alike (thumbnails from --dataset).")
    var html: String?

    @Option(help: "Also write the page's figures as SVG files into this folder (for documents).")
    var plots: String?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let html { try checkPageTarget(html) }
        let sides = baselineEmbeddings.map { ("--baseline-embeddings", $0) } + candidateEmbeddings.map { ("--candidate-embeddings", $0) }
            + baselineTrainEmbeddings.map { ("--baseline-train-embeddings", $0) } + candidateTrainEmbeddings.map { ("--candidate-train-embeddings", $0) }
        try refuseOverlappingOutputs(json: output.json, html: html, plots: plots,
                                     inputs: sides.map { (flag: $0.0, path: Optional($0.1)) } + [("--labels", labels), ("--train-labels", trainLabels)])
        if let plots { try ReportPlots.checkTarget(URL(fileURLWithPath: plots)) }
        if baseline.isEmpty == baselineEmbeddings.isEmpty { throw ValidationError("give the baseline as --baseline MODEL or --baseline-embeddings FILE (one of them)") }
        if candidate.isEmpty == candidateEmbeddings.isEmpty { throw ValidationError("give the candidate as --candidate MODEL or --candidate-embeddings FILE (one of them)") }
        if task == .zeroShot && (baseline.isEmpty || candidate.isEmpty) { throw ValidationError("--task zero-shot compares two models: --baseline and --candidate") }
        if baselineTrainEmbeddings.isEmpty != candidateTrainEmbeddings.isEmpty {
            throw ValidationError("give both sides' train embeddings (--baseline-train-embeddings and --candidate-train-embeddings) or neither")
        }
        if !baselineTrainEmbeddings.isEmpty && (baselineEmbeddings.isEmpty || candidateEmbeddings.isEmpty) {
            throw ValidationError("--baseline-train-embeddings and --candidate-train-embeddings go with precomputed --baseline-embeddings and --candidate-embeddings")
        }
    }

    func run() throws {
        let settings = try ComparisonSettings(tolerance: tolerance, resamples: bootstrap, overlapK: overlapK)
        let context = try output.context(batchSize: embedding.batchSize, data: data)
        let reference = baselineEmbeddings.isEmpty && candidateEmbeddings.isEmpty ? LabelSource.none : try referenceLabels()
        func side(_ model: [String], _ files: [String], _ trainFiles: [String]) throws -> EmbeddingSource {
            guard !files.isEmpty else {
                return .model(try embedding.backboneSpec(model), try data.requiredSelection(), train: try knn.train())
            }
            // Rows stand for the dataset's samples, else the shared --labels, else a folder's own labels.
            var source = PrecomputedOptions.files(files, labels: nil)
            if case .none = reference {} else { source.labels = reference }
            return .files(source, train: trainFiles.isEmpty ? nil : PrecomputedOptions.files(trainFiles, labels: trainLabels))
        }
        let baselineSide = { try side(baseline, baselineEmbeddings, baselineTrainEmbeddings) }
        let candidateSide = { try side(candidate, candidateEmbeddings, candidateTrainEmbeddings) }
        let report: ComparisonReport
        switch task {
        case .knn:
            let knnSettings = try knn.settings()
            report = try Comparison.run(baseline: KNNTask(source: try baselineSide(), settings: knnSettings),
                                        candidate: KNNTask(source: try candidateSide(), settings: knnSettings),
                                        settings: settings, context: context)
        case .linear:
            let linearSettings = try linear.settings(normalization)
            report = try Comparison.run(baseline: LinearTask(source: try baselineSide(), settings: linearSettings),
                                        candidate: LinearTask(source: try candidateSide(), settings: linearSettings),
                                        settings: settings, context: context)
        case .cluster:
            let clusterSettings = try cluster.settings(normalization)
            report = try Comparison.run(baseline: ClusterTask(source: try baselineSide(), settings: clusterSettings),
                                        candidate: ClusterTask(source: try candidateSide(), settings: clusterSettings),
                                        settings: settings, context: context)
        case .retrieval:
            let ks = retrieval.recallK.values
            let twoTower = baselineEmbeddings.isEmpty && candidateEmbeddings.isEmpty && namesBothTowers(baseline) && namesBothTowers(candidate)
            func mode(_ model: [String], _ files: [String], _ trainFiles: [String]) throws -> RetrievalTask.Mode {
                guard twoTower else { return .imageToImage(try side(model, files, trainFiles)) }
                return .imageText(try embedding.twoTowerSpec(model, tokenizer: prompts.tokenizer), try data.requiredSelection())
            }
            report = try Comparison.run(baseline: try RetrievalTask(mode: try mode(baseline, baselineEmbeddings, []), ks: ks),
                                        candidate: try RetrievalTask(mode: try mode(candidate, candidateEmbeddings, []), ks: ks),
                                        settings: settings, context: context)
        case .zeroShot:
            let selection = try data.requiredSelection(), prompts = try self.prompts.promptSet()
            report = try Comparison.run(
                baseline: ZeroShotTask(model: try embedding.twoTowerSpec(baseline, tokenizer: self.prompts.tokenizer), dataset: selection, prompts: prompts),
                candidate: ZeroShotTask(model: try embedding.twoTowerSpec(candidate, tokenizer: self.prompts.tokenizer), dataset: selection, prompts: prompts),
                settings: settings, context: context)
        case .agreement:
            report = try Comparison.run(baseline: AgreementTask(source: try baselineSide()),
                                        candidate: AgreementTask(source: try candidateSide()),
                                        settings: settings, context: context)
        }
        try output.emit(report, text: report.text())
        if html != nil || plots != nil {
            let page = ComparePage(report: report, images: html == nil ? nil : try data.selection()?.load(), limits: context.imageLimits)
            if let html { try page.write(to: html) }
            if let plots { try ReportPlots.write(page.figures(), to: URL(fileURLWithPath: plots)) }
        }
        if let verdict = report.verdict, verdict != .pass { throw ExitCode(verdict.exitCode) }
    }

    /// What precomputed rows stand for: the dataset's samples, else the shared --labels, else nothing (agreement).
    func referenceLabels() throws -> LabelSource {
        if let selection = try data.selection() { return .samples(SampleList(try selection.load())) }
        if let labels { return .samples(try SampleList(labelsFile: URL(fileURLWithPath: labels))) }
        return .none
    }
}
