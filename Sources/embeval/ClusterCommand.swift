import ArgumentParser
import Embeval
import Foundation

struct ClusterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Clustering quality: k-means on the embeddings scored against the classes (NMI, ARI, V-measure, cluster accuracy).",
        discussion: """
        k-means as scikit-learn's KMeans runs it (k-means++ starts, Lloyd iterations, best of --n-init by inertia; \
        seeded by --seed) on the L2-normalised embeddings, k = the number of classes unless --clusters. --minibatch runs \
        MiniBatchKMeans(batch_size=500) as MIEB does. Cluster accuracy matches clusters to classes one to one \
        (Hungarian algorithm).
        """
    )

    @OptionGroup var model: ModelOptions
    @OptionGroup var data: DatasetOptions
    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var normalization: NormalizationOptions
    @OptionGroup var precomputed: PrecomputedOptions
    @OptionGroup var output: OutputOptions

    @Option(help: "Also write a page of the run: where each class's samples went (class × cluster heat map), each cluster's size, majority class and purity.")
    var html: String?

    @Option(help: "Also write the page's figures as SVG files into this folder (for documents).")
    var plots: String?

    func validate() throws {
        if let html { try checkPageTarget(html) }
        try refuseOverlappingOutputs(json: output.json, html: html, plots: plots, inputs: precomputed.inputFiles)
        if let plots { try ReportPlots.checkTarget(URL(fileURLWithPath: plots)) }
    }

    func run() throws {
        let task = ClusterTask(source: try embeddingSource(model: model, data: data, precomputed: precomputed, train: nil),
                               settings: try cluster.settings(normalization), modelName: model.modelId)
        let outcome = try task.run(try output.context(batchSize: model.embedding.batchSize, data: data))
        try output.emit(outcome.report, text: outcome.report.text())
        if html != nil || plots != nil {
            let page = try ClusterPage(outcome: outcome)
            if let html { try page.write(to: html) }
            if let plots { try ReportPlots.write(page.figures(), to: URL(fileURLWithPath: plots)) }
        }
    }
}
