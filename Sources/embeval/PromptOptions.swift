import ArgumentParser
import Embeval
import Foundation

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

    @Flag(help: "Lower-case every prompt before tokenizing, as SigLIP 2's model card asks (its text tower was trained on lower-cased text; transformers' pipeline does not lower-case).")
    var lowercase = false

    @Flag(help: "Also print (and write to --json) the recall of every class.")
    var perClass = false

    func promptSet() throws -> PromptSet {
        var all = try template.map(PromptTemplate.init)
        if let templates { all += try PromptTemplate.load(from: URL(fileURLWithPath: templates)) }
        return PromptSet(templates: all, classNamesFile: classnames.map { URL(fileURLWithPath: $0) }, lowercase: lowercase)
    }
}
