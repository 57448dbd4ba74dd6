import Foundation
import Testing
@testable import Embeval

@Test func zeroShotTakesTheArgmaxCosineAndCountsRecallPerClass() {
    let classes = Matrix(rowVectors: [[1, 0, 0], [0, 1, 0], [0, 0, 1]])
    // Image 2 is scaled: cosine, not dot product, decides. Image 3 ties classes 0 and 1: the smaller id wins.
    let images = Matrix(rowVectors: [[0.9, 0.1, 0], [0.1, 0.8, 0.3], [0, 10, 11], [1, 1, 0]])
    let r = ZeroShotClassifier.evaluate(images: images, labels: [0, 1, 1, 1], classEmbeddings: classes)
    #expect(r.predictions == [0, 1, 2, 0])
    #expect(r.top1Accuracy == 50)
    #expect(r.top5Accuracy == 100)
    #expect(r.perClassRecall[0] == 100)
    #expect(abs(r.perClassRecall[1]! - 100.0 / 3) < 1e-9)
    #expect(r.perClassRecall[2] == nil)
    #expect(abs(r.meanPerClassRecall - (100 + 100.0 / 3) / 2) < 1e-9)
}

@Test func topFiveIsTheFiveHighestScores() {
    let scores: [Float] = [0.1, 0.9, 0.3, 0.9, 0.5, 0.2, 0.7]
    let top = scores.withUnsafeBufferPointer { ZeroShotClassifier.topIndices($0, count: 5) }
    #expect(top == [1, 3, 6, 4, 2])
}

@Test func promptEnsemblesAverageNormalisedEmbeddingsThenRenormalise() {
    // Class 0 has templates [2, 0] and [0, 1]: normalised [1, 0] and [0, 1], mean [0.5, 0.5], renormalised.
    let prompts = Matrix(rowVectors: [[2, 0], [0, 1], [3, 3], [1, 1]])
    let e = ZeroShotClassifier.classEmbeddings(prompts, classes: 2, templates: 2)
    let h = Float(0.5).squareRoot()
    #expect(abs(e[0, 0] - h) < 1e-6 && abs(e[0, 1] - h) < 1e-6)
    #expect(abs(e[1, 0] - h) < 1e-6)
}

@Test func templatesNeedAPlaceholderAndClassNamesMustBeDistinct() throws {
    #expect(try PromptTemplate("a photo of a {}.").prompt(for: "cat") == "a photo of a cat.")
    #expect(throws: PromptError.noPlaceholder(template: "a photo", file: nil, line: nil)) { try PromptTemplate("a photo") }
    #expect(throws: PromptError.invalidClassNames(source: "labels", reason: "the class list is empty")) { try ClassNames.validated([], source: "labels") }
    #expect(throws: PromptError.invalidClassNames(source: "labels", reason: "duplicate class name 'cat' (classes 0 and 2)")) {
        try ClassNames.validated(["cat", "dog", "cat"], source: "labels")
    }
    let dir = TestPaths.scratch()
    let file = dir.appendingPathComponent("t.txt")
    try "a photo of a {}.\n\nnothing here\n".write(to: file, atomically: true, encoding: .utf8)
    #expect(throws: PromptError.noPlaceholder(template: "nothing here", file: file.path, line: 3)) {
        try PromptTemplate.load(from: file)
    }
}

/// CLIP_benchmark's templates write the class as `{c}` (Python's `template.format(c=name)`); both placeholders are
/// replaced in one pass, so a class name holding `{}` or `{c}` stays as it is.
@Test func templatesTakeCLIPBenchmarksPlaceholderToo() throws {
    #expect(try PromptTemplate("a bad photo of a {c}.").prompt(for: "cat") == "a bad photo of a cat.")
    #expect(try PromptTemplate("{c}, a {}: {c}").prompt(for: "dog") == "dog, a dog: dog")
    #expect(try PromptTemplate("a {c} {x}").prompt(for: "{}") == "a {} {x}")
    #expect(throws: PromptError.noPlaceholder(template: "a {x}", file: nil, line: nil)) { try PromptTemplate("a {x}") }
}

/// Zero-shot templates: the given ones, else the dataset's templates file (CLIP_benchmark's layout), else the
/// pipeline's default.
@Test func promptSetsTakeTheDatasetsTemplatesWhenGivenNone() throws {
    var dataset = Dataset(name: "d", split: nil, classes: ["a"], samples: [])
    #expect(try PromptSet().templates(for: dataset) == [.pipelineDefault])
    let file = TestPaths.fixture("webdataset/fmnist-webp/zeroshot_classification_templates.txt")
    dataset.templatesFile = file
    let templates = try PromptSet().templates(for: dataset)
    #expect(templates.count == 8 && templates[0].text == "a photo of a {c}.")
    #expect(try PromptSet(templates: [PromptTemplate("x {}")]).templates(for: dataset).map(\.text) == ["x {}"])
}

@Test func aTemplatesFileWithWindowsLineEndsIsOneTemplatePerLine() throws {
    let file = TestPaths.scratch().appendingPathComponent("t.txt")
    try "a photo of a {c}.\r\na drawing of a {c}.\r\n".write(to: file, atomically: true, encoding: .utf8)
    #expect(try PromptTemplate.load(from: file).map(\.text) == ["a photo of a {c}.", "a drawing of a {c}."])
}

/// Classes are indistinguishable only when every template gives both the same ids: a cased tokenizer tells "Circle"
/// from "circle"; a cut that hides the difference under one template still leaves the other.
@Test func classesAreIndistinguishableOnlyWhenEveryTemplateGivesTheSameIds() throws {
    let clip = CLIPFixture.tokenizer
    let cased = try TokenizerPipeline(path: TestPaths.fixture("tokenizers/families/bert-cased").path)
    func warnings(_ names: [String], _ templates: [String], _ tokenizer: any TextTokenizer) throws -> [String] {
        let parsed = try templates.map(PromptTemplate.init)
        return PromptSet.indistinguishableClasses(PromptSet().prompts(classNames: names, templates: parsed), classNames: names,
                                                  templates: parsed.count, tokenizer: tokenizer)
    }
    #expect(try warnings(["circle", "Circle", "square"], ["a {}."], clip).count == 1)
    #expect(try warnings(["circle", "Circle", "square"], ["a {}."], cased).isEmpty)
    // Cut to 4 tokens, "a photo of {}" is "a photo of" for both; "{}" alone still tells them apart.
    let short = try clip.withMaxLength(4)
    #expect(try warnings(["circle", "circle shape"], ["a photo of {}"], short).count == 1)
    #expect(try warnings(["circle", "circle shape"], ["a photo of {}", "{}"], short).isEmpty)
    // Past three pairs, the rest are counted in one line.
    let many = try warnings(["a", "A", "b", "B", "c", "C", "d", "D", "e", "E"], ["{}"], clip)
    #expect(many.count == 4 && many.last == "2 more pairs of classes give the same tokens under every template", "\(many)")
    // Prompts that are not classes × templates give none (a caller's mistake is not a warning).
    #expect(PromptSet.indistinguishableClasses(["a", "b", "c"], classNames: ["x", "y"], templates: Int.max, tokenizer: clip).isEmpty)
}
