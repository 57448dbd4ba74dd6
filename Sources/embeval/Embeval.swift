import ArgumentParser
import Embeval

@main
struct EmbevalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embeval",
        abstract: "Measure and explore image embedding models exported to ONNX."
    )
}
