import ArgumentParser
import Embeval

/// The seed CLI's entry point: `eval --task image-feature-extraction -m … --dataset … --split … --samples …`.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Seed-compatible evaluation (--task image-feature-extraction runs `knn`, zero-shot-image-classification runs `zeroshot`), or a model card (--protocols knn,linear,cluster,retrieval,zeroshot).",
        discussion: """
        --protocols runs several protocols from one forward pass over the images (and the train split when the \
        linear probe or train-test kNN needs it) and prints one table of every figure; kNN votes train → test when the \
        linear probe is among them, unless --protocol says otherwise. For a two-tower model (-m image-encoder=… -m \
        text-encoder=…) the image encoder's image_embeds are the backbone; zeroshot, and image ↔ text retrieval on a \
        captioned dataset, run both towers in a pass of their own.
        """
    )

    enum Task: String, ExpressibleByArgument, CaseIterable {
        case imageFeatureExtraction = "image-feature-extraction"
        case zeroShotImageClassification = "zero-shot-image-classification"
    }

    @Option(help: "The evaluation task (seed CLI).")
    var task: Task?

    @Option(help: ArgumentHelp("A model card: these protocols, comma-separated (knn, linear, cluster, retrieval, zeroshot).", valueName: "p,p,…"),
            transform: EvaluationProtocol.list(parsing:))
    var protocols: [EvaluationProtocol]?

    @Option(help: "Accepted for compatibility; Embeval runs on the CPU.")
    var device: String?

    @OptionGroup var model: ModelOptions
    @OptionGroup var data: DatasetOptions
    @OptionGroup var knn: KNNOptions
    @OptionGroup var linear: LinearOptions
    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var normalization: NormalizationOptions
    @OptionGroup var retrieval: RetrievalOptions
    @OptionGroup var precomputed: PrecomputedOptions
    @OptionGroup var prompts: PromptOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if (task == nil) == (protocols == nil) { throw ValidationError("give --task (one seed-CLI task) or --protocols (a model card), one of them") }
        try refuseOverlappingOutputs(json: output.json, html: nil, plots: nil, inputs: precomputed.inputFiles + prompts.inputFiles)
    }

    func run() throws {
        if let device, device != "cpu" { printWarning("--device \(device): Embeval runs ONNX Runtime on the CPU") }
        if let protocols {
            let textSide: ProtocolSuite.TextSide? = model.isTwoTower || protocols.contains(.zeroshot) && precomputed.source() == nil
                ? .init(model: try model.twoTowerSpec(tokenizer: prompts.tokenizer), dataset: try data.requiredSelection(),
                        prompts: try prompts.promptSet())
                : nil
            let source = protocols.contains { $0 != .zeroshot }
                ? try embeddingSource(model: model, data: data, precomputed: precomputed, train: knn.trainSplit) : nil
            let suite = try ProtocolSuite(protocols: protocols, source: source, textSide: textSide, knn: try knn.settings(),
                                          linear: try linear.settings(normalization), cluster: try cluster.settings(normalization),
                                          recallKs: retrieval.recallK.values, modelName: model.modelId)
            let report = try suite.run(try output.context(batchSize: model.embedding.batchSize, data: data))
            try output.emit(report, text: report.text())
            return
        }
        switch task ?? .imageFeatureExtraction {
        case .imageFeatureExtraction:
            try runKNN(model: model, data: data, knn: knn, precomputed: precomputed, output: output)
        case .zeroShotImageClassification:
            try runZeroShot(model: model, data: data, prompts: prompts, output: output)
        }
    }
}
