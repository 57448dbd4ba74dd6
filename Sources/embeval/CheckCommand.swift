import ArgumentParser
import Embeval
import Foundation

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run a file of expected results (the CI gate): one row per entry with PASS, FAIL or INCONCLUSIVE.",
        discussion: """
        EXPECTATIONS.json is a list (or {"entries": [...]}) of {"model": PATH | "roles": {"image-encoder": PATH, \
        "text-encoder": PATH}, "task": "knn" | "zero-shot", "dataset": SPEC, "split", "samples", "metric": \
        "top1_accuracy" | "top5_accuracy" | "mean_per_class_recall", "expected": PERCENT, "tolerance": PP} with \
        optional "k", "protocol", "weighting", "temperature", "pooling", "templates", "classnames", "seed", \
        "train_split", "train_samples", "on_bad_image", "columns", "image_size", "resize", "crop", "mean", "std", \
        "resample". Relative paths resolve against the file's folder; an unknown field or value is an error. An \
        accuracy passes when the 95% bootstrap CI of (measured − expected) lies within ±tolerance, fails when it lies \
        wholly outside; mean per-class recall is compared as a number. Exit codes: 0 all PASS, 1 any FAIL, 3 \
        otherwise INCONCLUSIVE, 2 bad input.
        """
    )

    @Argument(help: "The expectations file.")
    var expectations: String

    @Option(parsing: .unconditional, help: "Bootstrap resamples per entry.")
    var bootstrap: Int = 2000

    @Option(parsing: .unconditional, help: "Images per forward pass.")
    var batchSize: Int = EmbeddingExtractor.defaultBatchSize

    @Option(parsing: .unconditional, help: "Intra-op threads of ONNX Runtime (default: all cores).")
    var threads: Int?

    @Option(help: "What to do with an image that cannot be decoded, for entries that do not say: fail or skip.")
    var onBadImage: BadImagePolicy = .fail

    @Option(parsing: .unconditional, help: "Refuse images whose header declares more pixels than this, unread (default: Pillow's limit, 178956970); images whose decode would not fit in memory are refused whatever it is.")
    var maxImagePixels: Int?

    @Option(help: "Also write a page with each expectation's measured interval against its expected band.")
    var html: String?

    @Option(help: "Also write the page's figures as SVG files into this folder (for documents).")
    var plots: String?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let html { try checkPageTarget(html) }
        try refuseOverlappingOutputs(json: output.json, html: html, plots: plots, inputs: [("expectations", expectations)])
        if let plots { try ReportPlots.checkTarget(URL(fileURLWithPath: plots)) }
    }

    func run() throws {
        var context = try output.context(batchSize: batchSize, onBadImage: onBadImage)
        context.imageLimits = try maxImagePixels.map { try ImageLimits(maximumPixels: $0) } ?? ImageLimits()
        let report = try ExpectationCheck.run(file: URL(fileURLWithPath: expectations), resamples: bootstrap, threads: threads,
                                              context: context)
        try output.emit(report, text: report.text())
        if let html { try CheckPage(report: report).write(to: html) }
        if let plots { try ReportPlots.write(CheckPage(report: report).figures(), to: URL(fileURLWithPath: plots)) }
        if report.verdict != .pass { throw ExitCode(report.verdict.exitCode) }
    }
}
