import ArgumentParser
import Embeval

/// The seed CLI's entry point: `eval --task image-feature-extraction -m … --dataset … --split … --samples …`.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Seed-compatible evaluation: --task image-feature-extraction runs `knn`, zero-shot-image-classification runs `zeroshot`."
    )

    enum Task: String, ExpressibleByArgument, CaseIterable {
        case imageFeatureExtraction = "image-feature-extraction"
        case zeroShotImageClassification = "zero-shot-image-classification"
    }

    @Option(help: "The evaluation task.")
    var task: Task

    @Option(help: "Accepted for compatibility; Embeval runs on the CPU.")
    var device: String?

    @OptionGroup var model: ModelOptions
    @OptionGroup var data: DatasetOptions
    @OptionGroup var knn: KNNOptions
    @OptionGroup var precomputed: PrecomputedOptions
    @OptionGroup var prompts: PromptOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        if let device, device != "cpu" { printWarning("--device \(device): Embeval runs ONNX Runtime on the CPU") }
        switch task {
        case .imageFeatureExtraction:
            try runKNN(model: model, data: data, knn: knn, precomputed: precomputed, output: output)
        case .zeroShotImageClassification:
            try runZeroShot(model: model, data: data, prompts: prompts, output: output)
        }
    }
}
