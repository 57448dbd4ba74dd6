import ArgumentParser
import Embeval
import Foundation

struct LinearCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "linear",
        abstract: "Linear probe: logistic regression on frozen embeddings (C chosen on a validation slice of train), or few-shot.",
        discussion: """
        Multinomial L2-regularised logistic regression fitted by L-BFGS on the train split's L2-normalised embeddings \
        (scikit-learn's LogisticRegression(C, max_iter=1000, tol=1e-12)). Without --C, every C of 10^-6 … 10^5 (45 \
        values, DINOv2's grid) is fitted on train less a seeded stratified 10% validation slice and scored on it; the \
        best is refitted on all of train and scored on the evaluated split. --shots n,… trains on n samples per class \
        drawn --tries times (seeded) and reports mean ± std. The test split never reaches fitting or model selection.
        """
    )

    @OptionGroup var model: ModelOptions
    @OptionGroup var data: DatasetOptions
    @OptionGroup var train: TrainSplitOptions
    @OptionGroup var linear: LinearOptions
    @OptionGroup var fewShot: FewShotOptions
    @OptionGroup var normalization: NormalizationOptions
    @OptionGroup var precomputed: PrecomputedOptions
    @Option(help: "Also write a page explaining the probe: validation curve of the C sweep, confusion matrix, most confused pairs, per-class recall with 95 % intervals.")
    var html: String?

    @Option(help: "Also write the page's figures as SVG files into this folder (for documents).")
    var plots: String?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let html { try checkPageTarget(html) }
        try refuseOverlappingOutputs(json: output.json, html: html, plots: plots, inputs: precomputed.inputFiles)
        if let plots { try ReportPlots.checkTarget(URL(fileURLWithPath: plots)) }
    }

    func run() throws {
        let task = LinearTask(source: try embeddingSource(model: model, data: data, precomputed: precomputed, train: train),
                              settings: try linear.settings(normalization, fewShot: fewShot), modelName: model.modelId)
        let context = try output.context(batchSize: model.embedding.batchSize, data: data)
        let outcome = try task.run(context)
        try output.emit(outcome.report, text: outcome.report.text())
        if html != nil || plots != nil {
            let page = try LinearPage(outcome: outcome, limits: context.imageLimits)
            if let html { try page.write(to: html) }
            if let plots { try ReportPlots.write(page.figures(), to: URL(fileURLWithPath: plots)) }
        }
    }
}
