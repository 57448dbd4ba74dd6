import ArgumentParser
import Embeval

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
    @OptionGroup var output: OutputOptions

    func run() throws {
        try runZeroShot(model: model, data: data, prompts: prompts, output: output)
    }
}

/// `embeval zeroshot` and `embeval eval --task zero-shot-image-classification`: one zero-shot task, its table and JSON.
func runZeroShot(model: ModelOptions, data: DatasetOptions, prompts: PromptOptions, output: OutputOptions) throws {
    let task = ZeroShotTask(model: try model.twoTowerSpec(tokenizer: prompts.tokenizer),
                            dataset: try data.requiredSelection(), prompts: try prompts.promptSet(),
                            perClass: prompts.perClass, modelName: model.modelId)
    let outcome = try task.run(try output.context(batchSize: model.embedding.batchSize, data: data))
    try output.emit(outcome.report, text: outcome.report.text())
}
