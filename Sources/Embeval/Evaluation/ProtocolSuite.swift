import Foundation

/// A protocol a model card reports.
public enum EvaluationProtocol: String, CaseIterable, Codable, Sendable {
    case knn, linear, cluster, retrieval, zeroshot

    /// Parses `knn,linear,cluster,retrieval`: known names, duplicates dropped, order kept.
    public static func list(parsing text: String) throws -> [EvaluationProtocol] {
        var seen = Set<EvaluationProtocol>()
        let names = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let list = try names.map { name -> EvaluationProtocol in
            guard let p = EvaluationProtocol(rawValue: name) else {
                throw EvaluationError.invalidParameter(name: "--protocols", value: "'\(name)'",
                                                       expected: "one of " + allCases.map(\.rawValue).joined(separator: ", "))
            }
            return p
        }
        return list.filter { seen.insert($0).inserted }
    }
}

/// Several protocols on one model and dataset — everything a model card needs — from one forward pass over the
/// images (and the train split when a protocol trains): kNN, the linear probe, k-means and image → image retrieval
/// share it. A two-tower model's image encoder is the backbone; zero-shot and image ↔ text retrieval (when the
/// dataset has captions) run its two towers in a pass of their own.
public struct ProtocolSuite: Sendable {
    /// A two-tower model's towers, for zero-shot and image ↔ text retrieval.
    public struct TextSide: Sendable {
        public var model: TwoTowerSpec
        public var dataset: DatasetSelection
        public var prompts: PromptSet

        public init(model: TwoTowerSpec, dataset: DatasetSelection, prompts: PromptSet = PromptSet()) {
            self.model = model
            self.dataset = dataset
            self.prompts = prompts
        }
    }

    public var protocols: [EvaluationProtocol]
    /// The image embeddings: a backbone, a two-tower model's image encoder, or precomputed files; nil when only
    /// zero-shot runs.
    public var source: EmbeddingSource?
    public var textSide: TextSide?
    public var knn: KNNSettings
    public var linear: LinearSettings
    public var cluster: ClusterSettings
    public var recallKs: [Int]
    public var modelName: String?

    public init(protocols: [EvaluationProtocol], source: EmbeddingSource?, textSide: TextSide? = nil,
                knn: KNNSettings, linear: LinearSettings, cluster: ClusterSettings,
                recallKs: [Int] = RetrievalTask.defaultKs, modelName: String? = nil) throws {
        guard !protocols.isEmpty else {
            throw EvaluationError.invalidParameter(name: "--protocols", value: "", expected: "one or more of knn, linear, cluster, retrieval, zeroshot")
        }
        if protocols.contains(.zeroshot), textSide == nil {
            throw EvaluationError.missingInput("--protocols zeroshot needs a two-tower model: -m image-encoder=… -m text-encoder=… (or a combined export)")
        }
        if source == nil, protocols.contains(where: { $0 != .zeroshot }) {
            throw EvaluationError.missingInput("the image-side protocols need a model and dataset or --embeddings")
        }
        if linear.shots != nil || knn.shots != nil {
            throw EvaluationError.invalidParameter(name: "--shots", value: "with --protocols", expected: "the knn or linear command (a model card reports full-train figures)")
        }
        self.protocols = protocols
        self.source = source
        self.textSide = textSide
        self.knn = knn
        self.linear = linear
        self.cluster = cluster
        self.recallKs = recallKs
        self.modelName = modelName
    }

    /// kNN votes train → test when the linear probe embeds train anyway (DINO's protocol), unless told otherwise.
    var knnSettings: KNNSettings {
        var settings = knn
        if settings.protocol == nil, protocols.contains(.linear) { settings.protocol = .trainTest }
        return settings
    }

    func needsTrain(_ source: EmbeddingSource) -> Bool {
        protocols.contains(.linear) || protocols.contains(.knn) && knnSettings.resolvedProtocol(for: source) == .trainTest
    }

    public func run(_ context: EvaluationContext) throws -> ModelCardReport {
        let started = Date()
        var card = ModelCardReport.Reports()
        var embedded: EmbeddedData? = nil
        var withTrain = false
        if let source, protocols.contains(where: { $0 != .zeroshot }) {
            withTrain = needsTrain(source)
            let data = try source.embed(includingTrain: withTrain, context: context)
            embedded = data
            try runImageSide(on: .embedded(data, from: source), data: data, into: &card, context: context)
        }
        if protocols.contains(.zeroshot), let textSide {
            card.zeroshot = try ZeroShotTask(model: textSide.model, dataset: textSide.dataset, prompts: textSide.prompts,
                                             modelName: modelName).run(context).report
        }
        var timings = Timings()
        timings.append("total", Date().timeIntervalSince(started))
        return ModelCardReport(protocols: protocols, modelName: modelName ?? card.zeroshot?.modelName ?? embedded?.model.name ?? "",
                               model: embedded?.model.metadata ?? card.zeroshot?.model ?? .null,
                               dataset: embedded?.summary(trainSamples: withTrain ? embedded?.sets.first?.train?.count : nil),
                               reports: card, timings: timings)
    }

    /// The protocols that share the image embeddings, each through its own task (so each validates as its command).
    private func runImageSide(on shared: EmbeddingSource, data: EmbeddedData, into card: inout ModelCardReport.Reports,
                              context: EvaluationContext) throws {
        for p in protocols {
            switch p {
            case .knn:
                card.knn = try KNNTask(source: shared, settings: knnSettings, modelName: modelName).run(context).report
            case .linear:
                card.linear = try LinearTask(source: shared, settings: linear, modelName: modelName).run(context).report
            case .cluster:
                card.cluster = try ClusterTask(source: shared, settings: cluster, modelName: modelName).run(context).report
            case .retrieval:
                if data.isLabelled {
                    card.retrieval = try RetrievalTask(mode: .imageToImage(shared), ks: recallKs, modelName: modelName).run(context).report
                }
                if let textSide, data.images?.samples.contains(where: { !$0.captions.isEmpty }) ?? false {
                    card.textRetrieval = try RetrievalTask(mode: .imageText(textSide.model, textSide.dataset), ks: recallKs,
                                                           modelName: modelName).run(context).report
                }
                if card.retrieval == nil && card.textRetrieval == nil {
                    throw EvaluationError.missingInput("retrieval needs labels (image → image) or captions with a two-tower model (image ↔ text)")
                }
            case .zeroshot:
                continue
            }
        }
    }
}
