import ArgumentParser
import Embeval
import Foundation

struct ZeroShotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zeroshot",
        abstract: "Zero-shot classification accuracy of a CLIP/SigLIP-style two-tower model.",
        discussion: """
        Each class name goes through every prompt template and the model's own tokenizer into the text tower; the \
        L2-normalised prompt embeddings of a class are averaged and renormalised (CLIP's ensembling). Each image is \
        assigned the class of largest cosine similarity — the argmax of the model's logits.
        """
    )

    @OptionGroup var model: ModelOptions
    @OptionGroup var data: DatasetOptions
    @OptionGroup var prompts: PromptOptions
    @Option(help: "Also write a page explaining the run: prompt templates, confusion matrix, most confused pairs, per-class recall with 95 % intervals, the images most confidently assigned to each class wrongly.")
    var html: String?

    @Option(help: "Also write the page's figures as SVG files into this folder (for documents).")
    var plots: String?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let html { try checkPageTarget(html) }
        try refuseOverlappingOutputs(json: output.json, html: html, plots: plots, inputs: prompts.inputFiles)
        if let plots { try ReportPlots.checkTarget(URL(fileURLWithPath: plots)) }
    }

    func run() throws {
        try runZeroShot(model: model, data: data, prompts: prompts, output: output, html: html, plots: plots)
    }
}

/// `embeval zeroshot` and `embeval eval --task zero-shot-image-classification`: one zero-shot task, its table and JSON.
func runZeroShot(model: ModelOptions, data: DatasetOptions, prompts: PromptOptions, output: OutputOptions, html: String? = nil,
                 plots: String? = nil) throws {
    let task = ZeroShotTask(model: try model.twoTowerSpec(tokenizer: prompts.tokenizer),
                            dataset: try data.requiredSelection(), prompts: try prompts.promptSet(),
                            perClass: prompts.perClass, modelName: model.modelId)
    let context = try output.context(batchSize: model.embedding.batchSize, data: data)
    let outcome = try task.run(context)
    try output.emit(outcome.report, text: outcome.report.text())
    if html != nil || plots != nil {
        let page = try ZeroShotPage(outcome: outcome, limits: context.imageLimits)
        if let html { try page.write(to: html) }
        if let plots { try ReportPlots.write(page.figures(), to: URL(fileURLWithPath: plots)) }
    }
}
