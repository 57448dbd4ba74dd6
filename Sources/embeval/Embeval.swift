import ArgumentParser
import Embeval
import Foundation

@main
struct EmbevalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embeval",
        abstract: "Measure and explore image embedding models exported to ONNX.",
        discussion: """
        Exit codes: 0 success (compare/check: PASS), 1 FAIL, 3 INCONCLUSIVE, 2 bad input or usage (one line on stderr \
        names the file, row or tensor). ONNX Runtime is loaded at run time from .deps/onnxruntime (scripts/bootstrap) \
        or EMBEVAL_ONNXRUNTIME.
        """,
        subcommands: [KNNCommand.self, ZeroShotCommand.self, LinearCommand.self, ClusterCommand.self, RetrievalCommand.self, CompareCommand.self, CheckCommand.self, ExploreCommand.self, AuditCommand.self, SearchCommand.self, EmbedCommand.self, MergeCommand.self, TokenizeCommand.self, InspectCommand.self, EvalCommand.self]
    )

    /// Parses, runs, and maps every failure to one line on stderr and exit code 2 (help and version exit 0).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as any UserError {
            fail(error.description)
        } catch let error as CleanExit {
            exit(withError: error)
        } catch let error as ExitCode {
            exit(withError: error)
        } catch {
            let message = fullMessage(for: error)
            if message.isEmpty { exit(withError: error) }
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            // ArgumentParser appends usage lines; the first line is the error itself.
            fail(message.split(separator: "\n").first.map(String.init) ?? message)
        }
    }

    static func fail(_ message: String) -> Never {
        let line = oneLine(message.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "Error: ", with: ""))
        FileHandle.standardError.write(Data(("error: " + terminalSafe(boundedLine(line), keepingLineBreaks: false) + "\n").utf8))
        Foundation.exit(2)
    }

    /// ArgumentParser's "The value 'V' is invalid for '--flag <name>': reason" in our form: "--flag 'V': reason".
    static func oneLine(_ message: String) -> String {
        let pattern = #/^The value '(?<value>.*)' is invalid for '(?<flag>-[^ ']+)[^']*': (?<reason>.*)$/#
        guard let match = message.wholeMatch(of: pattern) else { return message }
        return "\(match.flag) '\(match.value)': \(match.reason)"
    }
}

/// Prints to stderr: warnings and notes never mix with the results on stdout.
func printWarning(_ message: String) {
    FileHandle.standardError.write(Data("warning: \(terminalSafe(boundedLine(message), keepingLineBreaks: false))\n".utf8))
}
