import ArgumentParser
import Embeval
import Foundation

extension StoredFloat: ExpressibleByArgument {}

struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Write a dataset's embeddings as embeddings.npy (float32 N×d), labels.npy (int64), ids.txt, classes.txt.",
        discussion: """
        With several --pooling modes, each goes to its own sub-folder of --output named after the mode. Rows are \
        streamed to a staging folder beside --output (.NAME.partial) and the set is swapped in whole at the end; \
        --resume continues a run that was killed, from its last finished batch. --shard i/n (or a Slurm array, or a \
        Kubernetes Indexed Job with --shards n) embeds a contiguous 1/n of the samples; `embeval merge` joins the shards.
        """
    )

    @OptionGroup var model: ModelOptions
    @OptionGroup var data: DatasetOptions
    @OptionGroup var sharding: ShardOptions

    @Option(help: "Directory to write into (created if missing).")
    var output: String

    @Option(parsing: .unconditional, help: ArgumentHelp("Also write these blocks' patch tokens as feature maps [N, C, H/p, W/p] (timm's layout; prefix tokens dropped), one folder featuremap@LAYER each; through the final LayerNorm unless --layer-norm none. Without --pooling only the maps are written.", valueName: "indices"),
            transform: Pooling.layers(parsing:))
    var featureMaps: [Int]?

    @Option(help: ArgumentHelp("How values are stored: float32, or float16 (half the bytes, ~3 significant digits; for feature maps).", valueName: "float32|float16"))
    var dtype: StoredFloat = .float32

    @Flag(help: "Continue the partial extraction of an earlier, killed run of the same command (a finished set is left as it is).")
    var resume = false

    @Flag(help: "Draw the progress bar even when stderr is not a terminal (then one line every 10 seconds).")
    var progress = false

    func run() throws {
        var spec = try model.imageSpec()
        if let featureMaps {
            let maps = featureMaps.map(Pooling.featureMap)
            spec.poolings = model.embedding.poolingGiven ? spec.poolings + maps.filter { !spec.poolings.contains($0) } : maps
        }
        let job = EmbeddingJob(model: spec, dataset: try data.requiredSelection(), output: URL(fileURLWithPath: output),
                               shard: try sharding.assignment(), resume: resume, storage: dtype)
        var context = try EvaluationContext(batchSize: model.embedding.batchSize, onBadImage: data.onBadImage, seed: data.seed,
                                            progress: progress || isatty(2) != 0 ? TerminalProgress() : nil,
                                            diagnostics: TerminalWarnings())
        context.imageLimits = try data.imageLimits()
        let result = try job.run(context)
        let shard = result.record.shard.map { " (shard \($0), samples \($0.start)..<\($0.end) of \(result.record.dataset.count))" } ?? ""
        if result.alreadyComplete {
            print("already complete\(shard): \(job.output.path)")
            return
        }
        for set in result.sets {
            print("\(set.pooling): \(set.rows)×\(set.dimension) → \(set.folder.path)\(shard)")
        }
        let done = result.samples - result.resumedAt
        print(String(format: "%d images in %.2fs (%.1f images/s)%@%@", done, result.seconds, Double(done) / max(result.seconds, 1e-9),
                     result.record.skipped.isEmpty ? "" : ", \(result.record.skipped.count) skipped",
                     result.resumedAt > 0 ? ", resumed after \(result.resumedAt)" : ""))
    }
}
