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

    @OptionGroup var trainSplit: TrainSplitOptions

    func settings(fewShot: FewShotOptions? = nil) throws -> KNNSettings {
        try KNNSettings(protocol: knnProtocol, ks: k?.values, weighting: weighting, temperature: temperature,
                        shots: fewShot?.shots?.values, tries: fewShot?.tries ?? 5)
    }

    func train() throws -> TrainSplit { try trainSplit.train() }
}

/// Embeddings computed elsewhere, evaluated instead of a model and dataset.
struct PrecomputedOptions: ParsableArguments {
    @Option(help: "Precomputed query embeddings instead of a model and dataset: a .npy (N×d), a folder embed or merge wrote, shard folders (repeat), or a folder holding them.")
    var embeddings: [String] = []

    @Option(help: "Labels of --embeddings (.npy integers); a folder embed wrote carries its own.")
    var labels: String?

    @Option(help: "Precomputed train embeddings for --protocol train-test (a .npy, or folders as --embeddings; repeat for shards).")
    var trainEmbeddings: [String] = []

    @Option(help: "Labels of --train-embeddings (.npy integers); a folder embed wrote carries its own.")
    var trainLabels: String?

    func validate() throws {
        try Self.check(embeddings, labels, flags: ("--embeddings", "--labels"))
        try Self.check(trainEmbeddings, trainLabels, flags: ("--train-embeddings", "--train-labels"))
    }

    /// A `.npy` needs its labels file; folders written by embed carry theirs (a labels file then replaces them).
    static func check(_ paths: [String], _ labels: String?, flags: (String, String)) throws {
        if paths.isEmpty && labels != nil || !paths.isEmpty && labels == nil && !paths.allSatisfy(isFolder) {
            throw ValidationError("\(flags.0) and \(flags.1) go together (a folder written by embeval embed carries its own labels)")
        }
    }

    /// The precomputed source, if --embeddings was given.
    func source() -> EmbeddingSource? {
        guard !embeddings.isEmpty else { return nil }
        return .files(Self.files(embeddings, labels: labels),
                      train: trainEmbeddings.isEmpty ? nil : Self.files(trainEmbeddings, labels: trainLabels))
    }

    /// The files of `paths` with their labels: the given file, else those stored beside them.
    static func files(_ paths: [String], labels: String?) -> EmbeddingFiles {
        let source: LabelSource = labels.map { .file(URL(fileURLWithPath: $0)) } ?? (paths.allSatisfy(isFolder) ? .stored : .none)
        return EmbeddingFiles(paths: paths.map { URL(fileURLWithPath: $0) }, labels: source)
    }
}

/// Whether `path` is a folder (a set, a shard, or a folder of shards) rather than a `.npy` file.
func isFolder(_ path: String) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
}
