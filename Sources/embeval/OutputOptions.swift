import ArgumentParser
import Foundation

/// Where results go besides the table on stdout.
struct OutputOptions: ParsableArguments {
    @Option(help: "Also write the results as JSON to this file.")
    var json: String?

    @Flag(help: "Draw the progress bar even when stderr is not a terminal.")
    var progress = false

    @Flag(help: "Never draw the progress bar.")
    var noProgress = false

    var showsProgress: Bool { noProgress ? false : (progress || isatty(2) != 0) }

    func validate() throws {
        if let json {
            let dir = URL(fileURLWithPath: json).deletingLastPathComponent().path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("--json '\(json)': directory '\(dir)' does not exist")
            }
        }
    }
}
