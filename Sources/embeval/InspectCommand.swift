import ArgumentParser
import Embeval

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print the anatomy of an ONNX export: tensors, transformer blocks, token layout, preprocessing, poolings and layers.",
        discussion: "Blocks are found from the graph's structure (the residual stream feeding each block's LayerNorm), so names do not matter. For a two-tower model (one combined export, or image-encoder=PATH text-encoder=PATH) both towers and the tokenizer are described."
    )

    @Argument(help: ArgumentHelp("A .onnx file or an export directory; or image-encoder=PATH text-encoder=PATH.", valueName: "model"))
    var model: [String]

    @Option(help: "The model's Hugging Face id (owner/name), whose hub-cache snapshot supplies configs its folder lacks.")
    var modelId: String?

    @Option(help: "The tokenizer of a two-tower model (default: the text tower's own).")
    var tokenizer: String?

    @Option(help: "Also write the anatomy as JSON to this file (- for standard output alone).")
    var json: String?

    func run() throws {
        let roles = try ModelRoles(arguments: model)
        let inspection = try ModelInspection(roles, hubID: modelId) { folder in
            try TokenizerLoader.load(path: tokenizer ?? folder.path)
        }
        if json != "-" { print(terminalSafe(inspection.lines.joined(separator: "\n"), keepingLineBreaks: true)) }
        if let json { try inspection.write(to: json) }
    }
}
