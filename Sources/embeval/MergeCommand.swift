import ArgumentParser
import Embeval
import Foundation

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join the shard folders of `embed --shard i/n` into one set, byte for byte what a single run writes.",
        discussion: """
        Each SHARD is a shard folder, or a folder holding shard folders (e.g. out/shards/). The shards must come from \
        the same model, dataset selection and settings, and be all n of them with no overlap; otherwise one line names \
        the shard at fault. The merged manifest.json records the shards it was joined from.
        """
    )

    @Argument(help: "Shard folders, or folders holding them.")
    var shards: [String]

    @Option(help: "The folder to write the merged set into (a new or empty folder, or a set embeval wrote).")
    var output: String

    func validate() throws {
        if shards.isEmpty { throw ValidationError("give the shard folders to merge (or a folder holding them)") }
    }

    func run() throws {
        let result = try EmbeddingMerge.run(shards: shards.map { URL(fileURLWithPath: $0) }, into: URL(fileURLWithPath: output))
        let from = result.record.mergedFrom?.count ?? 0
        for set in result.sets {
            let folder = result.sets.count == 1 ? result.output : result.output.appendingPathComponent(Pooling.folderName(for: set.pooling))
            print("\(set.pooling): \(set.rows)×\(set.dimension) from \(from) shards → \(folder.path)")
        }
    }
}
