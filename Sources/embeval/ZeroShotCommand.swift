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
    @OptionGroup var output: OutputOptions

    func run() throws {
        try ZeroShotRun(model: model, data: data, prompts: prompts, output: output).execute()
    }
}

/// Templates, class names and the tokenizer of a zero-shot run.
struct PromptOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A prompt template with {} for the class name; repeat to ensemble. Default: \"This is a photo of {}.\"", valueName: "template"))
    var template: [String] = []

    @Option(help: "A file of templates, one per line.")
    var templates: String?

    @Option(help: "A file of class names, one per line in label order, replacing the dataset's.")
    var classnames: String?

    @Option(help: "The tokenizer (a tokenizer.json, a spiece.model or a model directory), replacing the text encoder's own.")
    var tokenizer: String?

    @Flag(help: "Also print (and write to --json) the recall of every class.")
    var perClass = false

    func resolvedTemplates() throws -> [PromptTemplate] {
        var out = try template.map(PromptTemplate.init)
        if let templates { out += try PromptTemplate.load(from: URL(fileURLWithPath: templates)) }
        return out.isEmpty ? [.pipelineDefault] : out
    }
}

/// `embeval zeroshot` and `embeval eval --task zero-shot-image-classification`.
struct ZeroShotRun {
    var model: ModelOptions
    var data: DatasetOptions
    var prompts: PromptOptions
    var output: OutputOptions
    var displayName: String? = nil

    func execute() throws {
        let start = Date()
        let templates = try prompts.resolvedTemplates()
        let dataset = try data.load()
        let classNames: [String]
        if let file = prompts.classnames {
            classNames = try ClassNames.load(from: URL(fileURLWithPath: file))
            guard classNames.count >= dataset.classes.count else {
                throw EmbevalError.input("class names file '\(file)' has \(classNames.count) names; dataset '\(dataset.name)' has \(dataset.classes.count) classes")
            }
        } else {
            classNames = try ClassNames.validated(dataset.classes, source: "dataset '\(dataset.name)'")
        }
        let twoTower = try model.embedding.twoTowerModel(model.model, tokenizer: prompts.tokenizer)

        // Text side once for the run: every class through every template.
        let textStart = Date()
        let promptTexts = classNames.flatMap { name in templates.map { $0.prompt(for: name) } }
        let promptEmbeddings = try twoTower.text.embed(promptTexts)
        let classEmbeddings = ZeroShotClassifier.classEmbeddings(promptEmbeddings, classes: classNames.count, templates: templates.count)
        let textSeconds = Date().timeIntervalSince(textStart)

        let extracted = try EmbeddingExtractor(batchSize: model.batchSize, onBadImage: data.onBadImage)
            .extract(dataset, with: twoTower.image,
                     progress: output.showsProgress ? Progress("embed", total: dataset.samples.count) : nil)
        for s in extracted.skipped { warn("skipped '\(s.id)': \(s.reason)") }
        let images = extracted.embeddings[twoTower.image.poolings[0]]!
        guard images.dimension == classEmbeddings.columns else {
            throw EmbevalError.input("image embeddings are \(images.dimension)-dimensional but text embeddings \(classEmbeddings.columns)-dimensional: the two towers do not share one space")
        }
        let health = try EmbeddingHealth(images, seed: data.seed)
        for w in health.warnings { warn("image embeddings: \(w)") }

        let scoreStart = Date()
        let result = ZeroShotClassifier.evaluate(images: images.matrix, labels: images.labels, classEmbeddings: classEmbeddings)
        let report = ZeroShotReport(
            modelName: displayName ?? twoTower.name, model: twoTower.metadata, datasetName: dataset.name,
            split: dataset.split, classNames: classNames, templates: templates.map(\.text), result: result,
            perClass: prompts.perClass, skipped: extracted.skipped,
            parameters: [("batch_size", .int(model.batchSize)), ("seed", .int(Int(data.seed))),
                         ("samples_requested", data.samples.map { .int($0) } ?? .null),
                         ("prompts", .int(promptTexts.count)), ("text_output", .string(twoTower.text.outputName))],
            timings: [("text", textSeconds), ("embedding", extracted.seconds),
                      ("scoring", Date().timeIntervalSince(scoreStart)), ("total", Date().timeIntervalSince(start))])
        print(report.text())
        if let json = output.json { try report.json().write(to: URL(fileURLWithPath: json)) }
    }
}
