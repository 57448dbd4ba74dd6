import ArgumentParser
import Embeval
import Foundation

struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Write a dataset's embeddings as embeddings.npy (float32 N×d), labels.npy (int64), ids.txt, classes.txt.",
        discussion: "With several --pooling modes, each goes to its own sub-folder of --output named after the mode."
    )

    @OptionGroup var model: ModelOptions
    @OptionGroup var data: DatasetOptions

    @Option(help: "Directory to write into (created if missing).")
    var output: String

    @Flag(help: "Draw the progress bar even when stderr is not a terminal.")
    var progress = false

    func run() throws {
        let spec = try model.imageSpec()
        // Fail on an unusable destination before spending time on extraction.
        let folder = try OutputFolder(URL(fileURLWithPath: output), kind: "embeddings",
                                      ownedNames: { name in Embeddings.setFiles.contains(name) || name == SetManifest.fileName
                                          || spec.poolings.contains { $0.folderName == name } })
        defer { folder.abandon() }
        var context = try EvaluationContext(batchSize: model.embedding.batchSize, onBadImage: data.onBadImage, seed: data.seed,
                                            progress: progress || isatty(2) != 0 ? TerminalProgress() : nil,
                                            diagnostics: TerminalWarnings())
        context.imageLimits = try data.imageLimits()
        let embedded = try EmbeddingSource.model(spec, try data.requiredSelection()).embed(context: context)
        // One pooling: the set is the folder itself; several: one sub-folder each. Written whole or not at all.
        let names = embedded.sets.count == 1 ? [""] : spec.poolings.map(\.folderName)
        try folder.fill { staging in
            for (set, name) in zip(embedded.sets, names) { try set.query.writeSet(into: staging.appendingPathComponent(name)) }
        }
        try folder.commit(rows: embedded.primary.count)
        for (set, name) in zip(embedded.sets, names) {
            print("\(set.pooling): \(set.query.count)×\(set.query.dimension) → \(folder.target.appendingPathComponent(name).path)")
        }
        let total = embedded.primary.count + embedded.skipped.count
        let seconds = embedded.timings.stages.first { $0.name == "embedding" }?.seconds ?? 0
        print(String(format: "%d images in %.2fs (%.1f images/s)%@", total, seconds, Double(total) / max(seconds, 1e-9),
                     embedded.skipped.isEmpty ? "" : ", \(embedded.skipped.count) skipped"))
    }
}
