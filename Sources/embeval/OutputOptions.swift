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
}
