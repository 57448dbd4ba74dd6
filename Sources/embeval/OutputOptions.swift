import ArgumentParser
import Embeval
import Foundation

/// Where results go besides the table on stdout, and whether progress is drawn.
struct OutputOptions: ParsableArguments {
    @Option(help: "Also write the results as JSON to this file (- for standard output).")
    var json: String?

    @Flag(help: "Draw the progress bar even when stderr is not a terminal.")
    var progress = false

    @Flag(help: "Never draw the progress bar.")
    var noProgress = false

    var showsProgress: Bool { noProgress ? false : (progress || isatty(2) != 0) }

    func validate() throws {
        if let json, json.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--json '': expected a file path, or - for standard output") }
        if let json, json != "-" {
            let dir = URL(fileURLWithPath: json).deletingLastPathComponent().path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("--json '\(json)': directory '\(dir)' does not exist")
            }
        }
    }

    /// How evaluations run here: progress on stderr as asked, warnings printed.
    func context(batchSize: Int = EmbeddingExtractor.defaultBatchSize, onBadImage: BadImagePolicy = .fail, seed: UInt64 = 0) throws -> EvaluationContext {
        try EvaluationContext(batchSize: batchSize, onBadImage: onBadImage, seed: seed,
                              progress: showsProgress ? TerminalProgress() : nil, diagnostics: TerminalWarnings())
    }

    /// The context for a command that reads a dataset: its seed, bad-image policy and image limits.
    func context(batchSize: Int, data: DatasetOptions) throws -> EvaluationContext {
        var context = try self.context(batchSize: batchSize, onBadImage: data.onBadImage, seed: data.seed)
        context.imageLimits = try data.imageLimits()
        return context
    }

    /// Prints the report's table, then writes its JSON if asked; with `--json -` the JSON alone goes to stdout.
    func emit<R: Report>(_ report: R, text: String) throws {
        if json != "-" { print(terminalSafe(text, keepingLineBreaks: true)) }
        if let json { try report.write(to: json) }
    }
}

/// Warnings go to stderr, one `warning:` line each, never mixed with the results on stdout.
/// Prints each distinct warning once: a check of 3,000 entries on one collapsed model says so once, not 3,000 times.
final class TerminalWarnings: DiagnosticSink, @unchecked Sendable {
    private let lock = NSLock()
    private var printed = Set<String>()

    func warn(_ message: String) {
        lock.lock(); defer { lock.unlock() }
        if printed.insert(message).inserted { printWarning(message) }
    }
}

/// `--html PATH`, checked before any work (the page is written last): its folder exists and it is no folder.
func checkPageTarget(_ html: String) throws {
    var isDirectory: ObjCBool = false
    let folder = URL(fileURLWithPath: html).deletingLastPathComponent().path
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw ValidationError("--html '\(html)': directory '\(folder)' does not exist")
    }
    if FileManager.default.fileExists(atPath: html, isDirectory: &isDirectory), isDirectory.boolValue {
        throw ValidationError("--html '\(html)' is a directory (expected a file path)")
    }
}

/// Refuses outputs that would overwrite each other or an input: `--json` and `--html` naming one file, either inside
/// the `--plots` folder (checked to be new or embeval's), or either naming an input file (`--json l.npy` replaced the
/// labels with the report). `inputs` are (flag, path) pairs; paths compare after `.`, `..` and links are resolved.
func refuseOverlappingOutputs(json: String?, html: String?, plots: String?, inputs: [(flag: String, path: String?)]) throws {
    func resolved(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path }
    // A device or a pipe (`/dev/null`, `/dev/stdout`) is written in place, never replaced: any number may share it.
    func replaced(_ path: String) -> Bool {
        guard let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType else { return true }
        return type == .typeRegular || type == .typeDirectory
    }
    let outputs = [("--json", json == "-" ? nil : json), ("--html", html)].compactMap { flag, path in
        path.map { (flag, $0, resolved($0)) }
    }.filter { replaced($0.2) }
    if outputs.count == 2, outputs[0].2 == outputs[1].2 {
        throw ValidationError("--json and --html both name '\(outputs[0].1)': each needs its own file")
    }
    if let plots {
        let folder = resolved(plots)
        if let inside = outputs.first(where: { $0.2 == folder || $0.2.hasPrefix(folder + "/") }) {
            throw ValidationError("\(inside.0) '\(inside.1)' lies in the --plots folder '\(plots)', which holds the figures alone: choose a file outside it")
        }
    }
    for (flag, path) in inputs {
        guard let path, let output = outputs.first(where: { $0.2 == resolved(path) }) else { continue }
        throw ValidationError("\(output.0) '\(output.1)' is the \(flag) input: writing it would replace it; choose another file")
    }
}

extension PromptOptions {
    /// The files these options read, by flag.
    var inputFiles: [(flag: String, path: String?)] { [("--templates", templates), ("--classnames", classnames)] }
}

extension PrecomputedOptions {
    /// The files these options read, by flag (for `refuseOverlappingOutputs`).
    var inputFiles: [(flag: String, path: String?)] {
        embeddings.map { ("--embeddings", $0) } + [("--labels", labels)] + trainEmbeddings.map { ("--train-embeddings", $0) }
            + [("--train-labels", trainLabels)]
    }
}
