import Foundation

/// The prompts of a zero-shot run: templates and optionally a file of class names replacing the dataset's.
public struct PromptSet: Sendable {
    /// The templates the user gave; when there are none, the dataset's own (`Dataset.templatesFile`, CLIP_benchmark's
    /// layout), else the Hugging Face pipeline's "This is a photo of {}.".
    public var templates: [PromptTemplate]
    public var classNamesFile: URL?
    /// Lower-case every prompt (Python's `str.lower`) before the tokenizer: SigLIP 2 was trained on lower-cased
    /// text and its model card asks for it; transformers' pipeline does not do it.
    public var lowercase: Bool

    public init(templates: [PromptTemplate] = [], classNamesFile: URL? = nil, lowercase: Bool = false) {
        self.templates = templates
        self.classNamesFile = classNamesFile
        self.lowercase = lowercase
    }

    /// Every class name through every template, class by class, lower-cased when asked.
    public func prompts(classNames: [String], templates: [PromptTemplate]) -> [String] {
        let texts = classNames.flatMap { name in templates.map { $0.prompt(for: name) } }
        guard lowercase else { return texts }
        return texts.map { String(String.UnicodeScalarView(pythonLowercased(Array($0.unicodeScalars)))) }
    }

    /// Warnings for classes whose prompts (`prompts(classNames:templates:)`) the tokenizer turns into the same ids
    /// under every template (CLIP lower-cases "Cat" and "cat"): their text embeddings are identical, so the model
    /// cannot tell them apart and every tie goes to the first. The pipeline scores them so too; the user is told.
    public static func indistinguishableClasses(_ prompts: [String], classNames: [String], templates: Int,
                                                tokenizer: any TextTokenizer) -> [String] {
        guard templates > 0, prompts.count % templates == 0, prompts.count / templates == classNames.count else { return [] }
        // Under the first template first: only classes that match there are encoded under the others (ImageNet's
        // 1,000 classes × 80 templates would otherwise all be tokenized twice).
        var byFirstTemplate = [[Int]: [Int]]()
        for c in classNames.indices { byFirstTemplate[tokenizer.encode(prompts[c * templates]), default: []].append(c) }
        var pairs = [(Int, Int)]()
        for group in byFirstTemplate.values where group.count > 1 {
            var first = [[Int]: Int]()
            for c in group {
                let ids = prompts[(c * templates + 1)..<((c + 1) * templates)].flatMap { tokenizer.encode($0) + [-1] }
                if let earlier = first[ids] { pairs.append((earlier, c)) } else { first[ids] = c }
            }
        }
        pairs.sort { ($0.1, $0.0) < ($1.1, $1.0) }
        let shown = pairs.prefix(3).map { a, b in
            "classes '\(classNames[a])' (\(a)) and '\(classNames[b])' (\(b)) give the same tokens under every template: their text embeddings are identical, so every image scored as one of them counts as '\(classNames[a])'"
        }
        return shown + (pairs.count > 3 ? ["\(pairs.count - 3) more pairs of classes give the same tokens under every template"] : [])
    }

    /// The templates for `dataset`: the given ones, else those of the templates file that came with it, else the
    /// pipeline's default.
    public func templates(for dataset: Dataset) throws -> [PromptTemplate] {
        if !templates.isEmpty { return templates }
        if let file = dataset.templatesFile { return try PromptTemplate.load(from: file) }
        return [.pipelineDefault]
    }

    /// The class names for `dataset`: the file's (at least one per class, in label order), else the dataset's own;
    /// non-empty and distinct either way.
    public func classNames(for dataset: Dataset, context: EvaluationContext) throws -> [String] {
        guard let file = classNamesFile else {
            return try ClassNames.validated(dataset.classes, source: "dataset '\(dataset.name)'")
        }
        let names = try ClassNames.load(from: file)
        guard names.count >= dataset.classes.count else {
            throw EvaluationError.tooFewClassNames(file: file.path, names: names.count, dataset: dataset.name, classes: dataset.classes.count)
        }
        if names.count > dataset.classes.count {
            context.warn("class names file '\(file.path)' has \(names.count - dataset.classes.count) more names than dataset '\(dataset.name)' has classes: they compete as distractor classes")
        }
        return names
    }
}

/// Zero-shot classification with a two-tower model: class names through the prompt templates and the model's
/// tokenizer into the text tower, images into the image tower, each image assigned the class of largest cosine.
public struct ZeroShotTask: EvaluationTask {
    public var model: TwoTowerSpec
    public var dataset: DatasetSelection
    public var prompts: PromptSet
    /// Also report every class's recall.
    public var perClass: Bool
    /// The name reports give the model; nil for the model's own.
    public var modelName: String?

    public init(model: TwoTowerSpec, dataset: DatasetSelection, prompts: PromptSet = PromptSet(), perClass: Bool = false,
                modelName: String? = nil) {
        self.model = model
        self.dataset = dataset
        self.prompts = prompts
        self.perClass = perClass
        self.modelName = modelName
    }

    public struct Prepared: PreparedEvaluation {
        /// The image tower's embeddings of the dataset.
        public var embedded: EmbeddedData
        public var classNames: [String]
        public var templates: [String]
        /// One unit-norm row per class: its prompts' embeddings averaged (CLIP's ensembling).
        public var classEmbeddings: Matrix
        public var textOutput: String
    }

    public func prepare(_ context: EvaluationContext) throws -> Prepared {
        let started = Date()
        let images = try dataset.load()
        for w in images.warnings { context.warn(w) }
        let classNames = try prompts.classNames(for: images, context: context)
        let twoTower = try model.load(context)
        var timings = Timings()
        let templates = try prompts.templates(for: images)
        let texts = prompts.prompts(classNames: classNames, templates: templates)
        for w in PromptSet.indistinguishableClasses(texts, classNames: classNames, templates: templates.count,
                                                    tokenizer: twoTower.text.tokenizer) { context.warn(w) }
        let classEmbeddings = try timings.measure("text") {
            ZeroShotClassifier.classEmbeddings(try twoTower.text.embed(texts), classes: classNames.count, templates: templates.count)
        }
        var embedded = try EmbeddingSource.extract(images, train: nil, with: twoTower.image, context: context)
        embedded.model = ModelInfo(name: twoTower.name, metadata: twoTower.metadata)
        embedded.timings = Timings(timings.stages + embedded.timings.stages)
        embedded.started = started
        try embedded.measureHealth(context: context)
        guard embedded.primary.dimension == classEmbeddings.columns else {
            throw EvaluationError.towersDisagree(model: twoTower.name, image: embedded.primary.dimension, text: classEmbeddings.columns)
        }
        if classNames.count <= 5 {
            context.warn("\(classNames.count) classes compete: top-5 accuracy is 100% by construction (every class is among the five best)")
        }
        return Prepared(embedded: embedded, classNames: classNames, templates: templates.map(\.text),
                        classEmbeddings: classEmbeddings, textOutput: twoTower.text.outputName)
    }

    public func evaluate(_ prepared: Prepared, context: EvaluationContext) throws -> ZeroShotOutcome {
        let images = prepared.embedded.primary
        var timings = prepared.embedded.timings
        let result = timings.measure("scoring") {
            ZeroShotClassifier.evaluate(images: images.matrix, labels: images.labels, classEmbeddings: prepared.classEmbeddings)
        }
        timings.append("total", Date().timeIntervalSince(prepared.embedded.started))
        let names = prepared.classNames
        let perClassRecall = perClass ? names.indices.map {
            ZeroShotReport.ClassRecall(class: names[$0], images: result.perClassCount[$0], recall: result.perClassRecall[$0])
        } : nil
        let report = ZeroShotReport(
            samples: images.count,
            results: [.init(top1Accuracy: result.top1Accuracy, top5Accuracy: result.top5Accuracy,
                            meanPerClassRecall: result.meanPerClassRecall, perClass: perClassRecall)],
            templates: prepared.templates, classnames: names,
            modelName: modelName ?? prepared.embedded.model.name, model: prepared.embedded.model.metadata,
            dataset: .init(name: prepared.embedded.dataset.name, split: prepared.embedded.dataset.split, samples: images.count,
                           classes: names.count, skipped: prepared.embedded.skipped),
            parameters: .init(batchSize: context.batchSize, seed: context.seed, samplesRequested: dataset.samples,
                              prompts: names.count * prepared.templates.count, lowercase: prompts.lowercase,
                              textOutput: prepared.textOutput),
            timings: timings)
        return ZeroShotOutcome(report: report, result: result, embedded: prepared.embedded)
    }
}

/// A zero-shot evaluation's report, and each image's prediction behind it.
public struct ZeroShotOutcome: EvaluationOutcome {
    public var report: ZeroShotReport
    public var result: ZeroShotResult
    public var embedded: EmbeddedData

    public var summary: String { "zero-shot" }

    public var scores: [Score] {
        let labels = embedded.primary.labels, pooling = embedded.sets[0].pooling
        return [
            Score(metric: .top1Accuracy, pooling: pooling, value: result.top1Accuracy,
                  correct: zip(result.predictions, labels).map { $0 == $1 }),
            Score(metric: .top5Accuracy, pooling: pooling, value: result.top5Accuracy, correct: result.top5Hits),
            Score(metric: .meanPerClassRecall, pooling: pooling, value: result.meanPerClassRecall, correct: nil),
        ]
    }
}
