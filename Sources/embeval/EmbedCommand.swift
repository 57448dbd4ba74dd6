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
        guard !model.model.isEmpty else { throw EmbevalError.usage("-m MODEL is required") }
        let root = URL(fileURLWithPath: output)
        // Fail on an unwritable destination before spending time on extraction.
        do { try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true) } catch {
            throw EmbevalError.io("cannot create output directory '\(output)': \(error.localizedDescription)")
        }
        let embedder = try model.load()
        let dataset = try data.load()
        let show = progress || isatty(2) != 0
        let result = try EmbeddingExtractor(batchSize: model.batchSize, onBadImage: data.onBadImage)
            .extract(dataset, with: embedder, progress: show ? Progress("embed", total: dataset.samples.count) : nil)
        for s in result.skipped { warn("skipped '\(s.id)': \(s.reason)") }
        for pooling in embedder.poolings {
            let embeddings = result.embeddings[pooling]!
            let dir = embedder.poolings.count == 1 ? root : root.appendingPathComponent(pooling.description.replacingOccurrences(of: ":", with: "_"))
            try embeddings.write(to: dir)
            print("\(pooling): \(embeddings.count)×\(embeddings.dimension) → \(dir.path)")
        }
        print(String(format: "%d images in %.2fs (%.1f images/s)%@", dataset.samples.count, result.seconds,
                     Double(dataset.samples.count) / max(result.seconds, 1e-9),
                     result.skipped.isEmpty ? "" : ", \(result.skipped.count) skipped"))
    }
}
