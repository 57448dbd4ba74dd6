import ArgumentParser
import Embeval

/// The kNN protocol, its k values and vote weighting.
struct KNNOptions: ParsableArguments {
    @Option(name: .customLong("protocol"), help: "loo (leave-one-out, default k=10, similarity weights) or train-test (DINO: default k=20, exp weights).")
    var knnProtocol: KNNProtocol?

    @Option(help: ArgumentHelp("Neighbour counts, comma-separated; all evaluated in one pass.", valueName: "k,k,…"))
    var k: String?

    @Option(help: "Vote weight: similarity, exp (exp(sim/T)) or uniform. Default: similarity for loo, exp for train-test.")
    var weighting: VoteWeighting?

    @Option(help: "T in exp(sim/T).")
    var temperature: Double = 0.07

    @Option(help: "The train split for --protocol train-test.")
    var trainSplit: String = "train"

    @Option(help: "Use a seeded random subset of this many train samples.")
    var trainSamples: Int?

    /// The protocol asked for, else train-test when precomputed train embeddings are given, else leave-one-out.
    func resolvedProtocol(_ precomputed: PrecomputedOptions? = nil) -> KNNProtocol {
        knnProtocol ?? (precomputed?.trainEmbeddings != nil ? .trainTest : .leaveOneOut)
    }

    func ks(_ precomputed: PrecomputedOptions? = nil) throws -> [Int] {
        guard let k else { return [resolvedProtocol(precomputed).defaultK] }
        let values = k.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) >= 1 }) else {
            throw EmbevalError.usage("--k '\(k)': expected positive integers separated by commas, e.g. 10,20,100")
        }
        var seen = Set<Int>()
        return values.map { $0! }.filter { seen.insert($0).inserted }
    }

    func validate() throws {
        if temperature <= 0 { throw ValidationError("--temperature must be > 0, got \(temperature)") }
        if let trainSamples, trainSamples < 1 { throw ValidationError("--train-samples must be ≥ 1") }
    }
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
}
