import ArgumentParser
import Embeval
import Foundation

struct RetrievalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retrieval",
        abstract: "Retrieval recall@k: image ↔ text for a two-tower model and captioned images, image → image (and mAP@R) for a backbone.",
        discussion: """
        With -m image-encoder=… -m text-encoder=… every caption of the dataset (a manifest's captions column, a \
        WebDataset sample's .txt lines) is embedded and keeps its image: text → image recall@k is the share of captions \
        whose image is among their k nearest images, image → text the share of images with one of their captions among \
        their k nearest captions (CLIP_benchmark). With one model or --embeddings, each image queries all the others \
        (itself excluded), a same-class image being relevant: recall@k and mAP@R, a block of queries at a time.
        """
    )

    @OptionGroup var model: ModelOptions
    @OptionGroup var data: DatasetOptions
    @OptionGroup var retrieval: RetrievalOptions
    @Option(help: "The tokenizer (a tokenizer.json, a spiece.model or a model directory), replacing the text encoder's own.")
    var tokenizer: String?

    @OptionGroup var precomputed: PrecomputedOptions
    @Option(help: "Also write a page of the run: the recall and mAP@R table, recall against k.")
    var html: String?

    @Option(help: "Also write the page's figure as an SVG file into this folder (for documents).")
    var plots: String?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let html { try checkPageTarget(html) }
        try refuseOverlappingOutputs(json: output.json, html: html, plots: plots, inputs: precomputed.inputFiles)
        if let plots { try ReportPlots.checkTarget(URL(fileURLWithPath: plots)) }
    }

    func run() throws {
        let mode: RetrievalTask.Mode
        if precomputed.source() == nil && model.isTwoTower {
            mode = .imageText(try model.embedding.twoTowerSpec(model.model, tokenizer: tokenizer, hubID: model.modelId), try data.requiredSelection())
        } else {
            mode = .imageToImage(try embeddingSource(model: model, data: data, precomputed: precomputed, train: nil))
        }
        let task = try RetrievalTask(mode: mode, ks: retrieval.recallK.values, modelName: model.modelId)
        let outcome = try task.run(try output.context(batchSize: model.embedding.batchSize, data: data))
        try output.emit(outcome.report, text: outcome.report.text())
        let page = RetrievalPage(report: outcome.report)
        if let html { try page.write(to: html) }
        if let plots { try ReportPlots.write(page.figures(), to: URL(fileURLWithPath: plots)) }
    }
}
