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
        let root = URL(fileURLWithPath: output)
        // Fail on an unwritable destination before spending time on extraction.
        do { try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true) } catch {
            throw OutputError.cannotCreate(path: output, reason: OutputFile.reason(error))
        }
        let context = try EvaluationContext(batchSize: model.embedding.batchSize, onBadImage: data.onBadImage, seed: data.seed,
                                            progress: progress || isatty(2) != 0 ? TerminalProgress() : nil,
                                            diagnostics: TerminalWarnings())
        let embedded = try EmbeddingSource.model(spec, try data.requiredSelection()).embed(context: context)
        for set in embedded.sets {
            let dir = embedded.sets.count == 1 ? root : root.appendingPathComponent(set.pooling.replacingOccurrences(of: ":", with: "_"))
            try set.query.write(to: dir)
            print("\(set.pooling): \(set.query.count)×\(set.query.dimension) → \(dir.path)")
        }
        let total = embedded.primary.count + embedded.skipped.count
        let seconds = embedded.timings.stages.first { $0.name == "embedding" }?.seconds ?? 0
        print(String(format: "%d images in %.2fs (%.1f images/s)%@", total, seconds, Double(total) / max(seconds, 1e-9),
                     embedded.skipped.isEmpty ? "" : ", \(embedded.skipped.count) skipped"))
    }
}
