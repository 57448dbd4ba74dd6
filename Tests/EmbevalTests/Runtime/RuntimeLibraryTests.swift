import Foundation
import Testing
@testable import Embeval

@Suite struct RuntimeLibraryTests {
    @Test func sharedLibraryLoadsAndMatchesTheDeclaredTable() throws {
        let library = try OnnxRuntimeLibrary.shared()
        #expect(library.version == "1.32.0")
        #expect(library.verifyStatusRoundTrip())
        #expect(try OnnxRuntimeLibrary.shared() === library)
    }

    @Test func bogusPathGivesOneLineHint() {
        let bogus = "/nonexistent/embeval/libonnxruntime.so"
        #expect(throws: RuntimeError.libraryNotFound(searched: [bogus])) {
            try OnnxRuntimeLibrary.load(path: bogus)
        }
        let description = RuntimeError.libraryNotFound(searched: [bogus]).description
        #expect(!description.contains("\n"))
        #expect(description.contains(bogus))
        #expect(description.contains("scripts/bootstrap"))
        #expect(description.contains("EMBEVAL_ONNXRUNTIME="))
    }

    @Test func fileThatIsNotALibraryIsReported() {
        do {
            _ = try OnnxRuntimeLibrary.load(path: RuntimeFixtures.path("corrupt.onnx"))
            Issue.record("loading a non-library succeeded")
        } catch {
            guard case .libraryUnusable(let path, _) = error else {
                Issue.record("unexpected \(error)"); return
            }
            #expect(path.hasSuffix("corrupt.onnx"))
        }
    }

    @Test func locateReportsEverySearchedPlace() {
        let candidates = ["/nonexistent/a/libonnxruntime.so", "/nonexistent/b/libonnxruntime.so",
                          "libembeval-no-such-soname.so"]
        #expect(throws: RuntimeError.libraryNotFound(searched: candidates)) {
            try OnnxRuntimeLibrary.locate(candidates: candidates)
        }
    }

    @Test func environmentVariableOverridesTheSearch() {
        let paths = OnnxRuntimeLibrary.candidatePaths(
            environment: ["EMBEVAL_ONNXRUNTIME": "/opt/ort/libonnxruntime.so"],
            currentDirectory: "/work/repo", executablePath: "/work/repo/.build/release/embeval")
        #expect(paths == ["/opt/ort/libonnxruntime.so"])
    }

    @Test func searchCoversCurrentDirectoryExecutableParentsAndLoader() {
        let paths = OnnxRuntimeLibrary.candidatePaths(
            environment: [:], currentDirectory: "/home/user",
            executablePath: "/nonexistent/repo/.build/release/embeval")
        #expect(paths.first == "/home/user/.deps/onnxruntime/libonnxruntime.so")
        #expect(paths.contains("/nonexistent/repo/.deps/onnxruntime/libonnxruntime.so"))
        #expect(paths.contains("/nonexistent/repo/.build/release/.deps/onnxruntime/libonnxruntime.so"))
        #expect(paths.last == "libonnxruntime.so")
        #expect(Set(paths).count == paths.count)
    }
}
