import Foundation
import Testing

/// The README's library example ("Use it as a library"), as a user would run it: the code between the
/// `library-example` markers becomes the `main.swift` of a scratch package in a temporary folder that depends on
/// this checkout by path; it is built with `swift build` and run from the repository root, and its output checked.
///
/// It compiles the library a second time (from under a minute to a few, depending on the machine), so the
/// build-and-run test runs only with EMBEVAL_SLOW_TESTS set (`make test` sets it); the extraction test always runs.
@Suite struct LibraryUsageTests {
    static let readme = TestPaths.repository.appendingPathComponent("README.md")
    static let beginMarker = "<!-- library-example:begin -->"
    static let endMarker = "<!-- library-example:end -->"

    static let slowTests = ProcessInfo.processInfo.environment["EMBEVAL_SLOW_TESTS"] != nil

    /// The code of the one ```swift block between the markers.
    static func exampleCode() throws -> String {
        let text = try String(contentsOf: readme, encoding: .utf8)
        let begin = try #require(text.range(of: beginMarker), "README.md has no \(beginMarker)")
        let end = try #require(text.range(of: endMarker, range: begin.upperBound..<text.endIndex),
                               "README.md has no \(endMarker) after \(beginMarker)")
        // Only one ```swift block may stand between the markers.
        let body = text[begin.upperBound..<end.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(body.hasPrefix("```swift\n") && body.hasSuffix("\n```"),
                     "expected one ```swift block between the markers, got: \(body.prefix(40)) … \(body.suffix(40))")
        let code = String(body.dropFirst("```swift\n".count).dropLast("\n```".count))
        try #require(!code.contains("```"), "more than one code block between the markers")
        return code + "\n"
    }

    @Test func readmeHoldsOneCompleteExample() throws {
        let code = try Self.exampleCode()
        #expect(code.hasPrefix("import Embeval\n"))
        for name in ["KNNTask", "ZeroShotTask", "EvaluationContext", "EmbeddingFiles"] {
            #expect(code.contains(name), "the example uses \(name)")
        }
    }

    @Test(.enabled(if: slowTests), .timeLimit(.minutes(30)))
    func readmeExampleBuildsAndRuns() throws {
        let code = try Self.exampleCode()
        let scratch = TestPaths.scratch("library-example")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let untrackedBefore = Self.untrackedFiles()

        // The user's package: one executable target whose main.swift is the README's code.
        let package = scratch.appendingPathComponent("package")
        let sources = package.appendingPathComponent("Sources/LibraryExample")
        try FileManager.default.createDirectory(at: sources, withIntermediateDirectories: true)
        let identity = TestPaths.repository.lastPathComponent.lowercased()
        try """
            // swift-tools-version: 6.0
            import PackageDescription

            let package = Package(
                name: "LibraryExample",
                dependencies: [.package(path: \(Self.swiftLiteral(TestPaths.repository.path)))],
                targets: [
                    .executableTarget(name: "LibraryExample",
                                      dependencies: [.product(name: "Embeval", package: \(Self.swiftLiteral(identity)))]),
                ]
            )

            """.write(to: package.appendingPathComponent("Package.swift"), atomically: true, encoding: .utf8)
        try code.write(to: sources.appendingPathComponent("main.swift"), atomically: true, encoding: .utf8)

        let swift = try #require(Self.swiftExecutable(), "no swift executable (looked for $EMBEVAL_SWIFT, swift on PATH, /opt/swift/usr/bin/swift)")
        let buildFolder = scratch.appendingPathComponent("build")
        // SwiftPM keeps lock files in $TMPDIR: point it into the scratch folder so that they go with it.
        let swiftTemporary = scratch.appendingPathComponent("swiftpm-tmp")
        try FileManager.default.createDirectory(at: swiftTemporary, withIntermediateDirectories: true)
        let swiftEnvironment = ["TMPDIR": swiftTemporary.path + "/"]
        let started = Date()
        let build = try Self.run(swift, ["build", "--package-path", package.path, "--scratch-path", buildFolder.path],
                                 in: package, logs: scratch.appendingPathComponent("build"), environment: swiftEnvironment,
                                 timeout: 25 * 60)
        try #require(build.status == 0, "swift build failed (exit \(build.status)):\n\(build.stdout.suffix(4000))\n\(build.stderr.suffix(4000))")
        let built = Date()
        let binPath = try Self.run(swift, ["build", "--package-path", package.path, "--scratch-path", buildFolder.path,
                                           "--show-bin-path"],
                                   in: package, logs: scratch.appendingPathComponent("binpath"), environment: swiftEnvironment,
                                   timeout: 5 * 60)
        let executable = URL(fileURLWithPath: binPath.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
            .appendingPathComponent("LibraryExample")
        try #require(FileManager.default.isExecutableFile(atPath: executable.path), "no executable at \(executable.path)")

        // Run from the repository root, so that tools/demo_model/… and .deps/onnxruntime resolve; the example's own
        // temporary files go to a folder of the scratch one, which must be empty afterwards.
        let temporary = scratch.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        let running = Date()
        let result = try Self.run(executable.path, [], in: TestPaths.repository, logs: scratch.appendingPathComponent("run"),
                                  environment: ["TMPDIR": temporary.path + "/"], timeout: 10 * 60)
        print("library example: built in \(String(format: "%.1f", built.timeIntervalSince(started)))s, "
              + "ran in \(String(format: "%.1f", Date().timeIntervalSince(running)))s")
        try #require(result.status == 0, "the example failed (exit \(result.status)):\n\(result.stdout)\n\(result.stderr)")
        let out = result.stdout

        #expect(out.contains("Evaluation: fashion-vit"), "the kNN report's table:\n\(out)")
        let knn = try #require(Self.percentage(#/kNN cls k=10: top-1 ([0-9.]+)%/#, in: out), "no kNN top-1 line:\n\(out)")
        #expect(knn > 50 && knn <= 100, "kNN top-1 \(knn)% (chance is 10%)")
        let zeroShot = try #require(Self.percentage(#/zero-shot: top-1 ([0-9.]+)%/#, in: out), "no zero-shot line:\n\(out)")
        #expect(zeroShot > 50 && zeroShot <= 100, "zero-shot top-1 \(zeroShot)%")
        #expect(out.contains("mean per-class recall"))
        // The saved embeddings are the model's own: the same k = 10 accuracy.
        let precomputed = try #require(Self.percentage(#/precomputed k=10: top-1 ([0-9.]+)%/#, in: out),
                                       "no precomputed line:\n\(out)")
        #expect(precomputed == knn)
        #expect(Self.percentage(#/precomputed k=20: top-1 ([0-9.]+)%/#, in: out) != nil)
        #expect(!out.contains("warning:"), "unexpected warnings:\n\(out)")

        // ONNX Runtime itself leaves a `.ses` file (a session id) in $TMPDIR; anything else would be the example's.
        let leftovers = ((try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? []).filter { $0 != ".ses" }
        #expect(leftovers.isEmpty, "the example left \(leftovers) in its temporary folder")
        if let before = untrackedBefore, let after = Self.untrackedFiles() {
            #expect(after.subtracting(before).isEmpty, "written into the repository: \(after.subtracting(before).sorted())")
        }
    }

    // MARK: Helpers

    /// `$EMBEVAL_SWIFT`, else `swift` on PATH, else the toolchain in /opt/swift.
    static func swiftExecutable() -> String? {
        let env = ProcessInfo.processInfo.environment
        if let explicit = env["EMBEVAL_SWIFT"], FileManager.default.isExecutableFile(atPath: explicit) { return explicit }
        for dir in (env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let path = String(dir) + "/swift"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        let fallback = "/opt/swift/usr/bin/swift"
        return FileManager.default.isExecutableFile(atPath: fallback) ? fallback : nil
    }

    static func swiftLiteral(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static func percentage(_ pattern: Regex<(Substring, Substring)>, in text: String) -> Double? {
        text.firstMatch(of: pattern).flatMap { Double($0.output.1) }
    }

    /// Untracked, not ignored files of the repository (nil when git cannot tell, e.g. outside a checkout).
    static func untrackedFiles() -> Set<String>? {
        guard let result = try? run("/usr/bin/env", ["git", "-C", TestPaths.repository.path, "status", "--porcelain",
                                                      "--untracked-files=all"],
                                    in: TestPaths.repository, logs: nil, timeout: 60),
              result.status == 0 else { return nil }
        return Set(result.stdout.split(separator: "\n").filter { $0.hasPrefix("??") }.map(String.init))
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `executable` in `directory` with stdout and stderr going to files (`logs`.stdout/.stderr, or a
    /// temporary pair), so that neither pipe can fill up; kills it after `timeout` seconds.
    static func run(_ executable: String, _ arguments: [String], in directory: URL, logs: URL?,
                    environment: [String: String] = [:], timeout: TimeInterval) throws -> Result {
        let base = logs ?? FileManager.default.temporaryDirectory.appendingPathComponent("embeval-run-\(UUID().uuidString)")
        let outURL = URL(fileURLWithPath: base.path + ".stdout"), errURL = URL(fileURLWithPath: base.path + ".stderr")
        defer {
            if logs == nil {
                try? FileManager.default.removeItem(at: outURL)
                try? FileManager.default.removeItem(at: errURL)
            }
        }
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning {
            process.terminate()
            Thread.sleep(forTimeInterval: 2)
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        try out.close(); try err.close()
        return Result(status: process.terminationStatus,
                      stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }
}
