import ArgumentParser
import Embeval
import Foundation

/// The kNN protocol, its k values and vote weighting.
struct KNNOptions: ParsableArguments {
    @Option(name: .customLong("protocol"), help: "loo (leave-one-out, default k=10, similarity weights) or train-test (DINO: default k=20, exp weights).")
    var knnProtocol: KNNProtocol?

    @Option(parsing: .unconditional, help: ArgumentHelp("Neighbour counts, comma-separated; all evaluated in one pass.", valueName: "k,k,…"),
            transform: NeighbourCounts.init(parsing:))
    var k: NeighbourCounts?

    @Option(help: "Vote weight: similarity, exp (exp(sim/T)) or uniform. Default: similarity for loo, exp for train-test.")
    var weighting: VoteWeighting?

    @Option(parsing: .unconditional, help: "T in exp(sim/T).")
    var temperature: Double = 0.07

    @Option(help: "The train split for --protocol train-test.")
    var trainSplit: String = "train"

    @Option(parsing: .unconditional, help: "Use a seeded random subset of this many train samples.")
    var trainSamples: Int?

    func settings() throws -> KNNSettings {
        try KNNSettings(protocol: knnProtocol, ks: k?.values, weighting: weighting, temperature: temperature)
    }

    func train() throws -> TrainSplit { try TrainSplit(trainSplit, samples: trainSamples) }
}

/// Embeddings computed elsewhere, evaluated instead of a model and dataset.
struct PrecomputedOptions: ParsableArguments {
    @Option(help: "Precomputed query embeddings (.npy, N×d) instead of a model and dataset.")
    var embeddings: String?

    @Option(help: "Labels of --embeddings (.npy integers).")
    var labels: String?

    @Option(help: "Precomputed train embeddings (.npy) for --protocol train-test.")
    var trainEmbeddings: String?

    @Option(help: "Labels of --train-embeddings (.npy integers).")
    var trainLabels: String?

    func validate() throws {
        if (embeddings == nil) != (labels == nil) { throw ValidationError("--embeddings and --labels go together") }
        if (trainEmbeddings == nil) != (trainLabels == nil) { throw ValidationError("--train-embeddings and --train-labels go together") }
    }

    /// The precomputed source, if --embeddings was given.
    func source() -> EmbeddingSource? {
        guard let embeddings, let labels else { return nil }
        var train: EmbeddingFiles? = nil
        if let trainEmbeddings, let trainLabels {
            train = EmbeddingFiles(embeddings: URL(fileURLWithPath: trainEmbeddings), labels: .file(URL(fileURLWithPath: trainLabels)))
        }
        return .files(EmbeddingFiles(embeddings: URL(fileURLWithPath: embeddings), labels: .file(URL(fileURLWithPath: labels))), train: train)
    }
}
