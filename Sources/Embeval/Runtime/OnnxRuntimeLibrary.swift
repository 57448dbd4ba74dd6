import COnnxRuntime
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The ONNX Runtime shared library, opened with dlopen, and its C function table.
/// One shared instance per process (`shared()`); `load(path:)` opens a given file without touching it.
public final class OnnxRuntimeLibrary: @unchecked Sendable {
    // @unchecked: every stored property is immutable after init, and the function table is read-only.

    /// The file that was opened.
    public let path: String
    /// The library's own version string, e.g. "1.32.0".
    public let version: String
    /// The C function table (slots as declared in onnxruntime_abi.h).
    let api: UnsafePointer<EmbevalOrtApi>
    private let handle: UnsafeMutableRawPointer

    /// Environment variable that names the library file explicitly.
    public static let environmentVariable = "EMBEVAL_ONNXRUNTIME"
    /// Where `scripts/bootstrap` puts the library, relative to the repository root.
    public static let bundledRelativePath = ".deps/onnxruntime/libonnxruntime.so"
    /// The soname tried last, through the system loader's search path.
    public static let systemLibraryName = "libonnxruntime.so"

    private init(path: String, handle: UnsafeMutableRawPointer, api: UnsafePointer<EmbevalOrtApi>, version: String) {
        self.path = path
        self.handle = handle
        self.api = api
        self.version = version
    }

    /// Opens the library at `path` (a file path, or a bare soname for the loader) and fetches its function table.
    /// Never stored globally: tests can try bogus paths without affecting `shared()`.
    public static func load(path: String) throws(RuntimeError) -> OnnxRuntimeLibrary {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "dlopen failed"
            if path.contains("/") && !FileManager.default.fileExists(atPath: path) {
                throw RuntimeError.libraryNotFound(searched: [path])
            }
            throw RuntimeError.libraryUnusable(path: path, reason: reason)
        }
        guard let symbol = dlsym(handle, "OrtGetApiBase") else {
            dlclose(handle)
            throw RuntimeError.libraryUnusable(path: path, reason: "it has no OrtGetApiBase symbol")
        }
        let getApiBase = unsafeBitCast(symbol, to: EmbevalOrtGetApiBaseFn.self)
        guard let base = getApiBase(), let getApi = base.pointee.GetApi else {
            dlclose(handle)
            throw RuntimeError.libraryUnusable(path: path, reason: "OrtGetApiBase returned nothing")
        }
        let version = base.pointee.GetVersionString.flatMap { $0() }.map { String(cString: $0) } ?? "unknown"
        guard let api = getApi(UInt32(EMBEVAL_ORT_API_VERSION)) else {
            dlclose(handle)
            throw RuntimeError.libraryUnusable(
                path: path, reason: "version \(version) does not serve C API version \(EMBEVAL_ORT_API_VERSION)")
        }
        return OnnxRuntimeLibrary(path: path, handle: handle, api: api, version: version)
    }

    /// The places searched, in order: $EMBEVAL_ONNXRUNTIME alone when set; otherwise `.deps/…` under the current
    /// directory, then under the executable's directory and each of its parents, then the bare soname.
    public static func candidatePaths(environment: [String: String] = ProcessInfo.processInfo.environment,
                                      currentDirectory: String = FileManager.default.currentDirectoryPath,
                                      executablePath: String? = currentExecutablePath()) -> [String] {
        if let explicit = environment[environmentVariable], !explicit.isEmpty {
            return [explicit]
        }
        var paths = [URL(fileURLWithPath: currentDirectory).appendingPathComponent(bundledRelativePath).path]
        if let executablePath {
            var directory = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
            while true {
                paths.append(directory.appendingPathComponent(bundledRelativePath).path)
                let parent = directory.deletingLastPathComponent()
                if parent.path == directory.path || directory.path == "/" { break }
                directory = parent
            }
        }
        var seen = Set<String>()
        return paths.filter { seen.insert($0).inserted } + [systemLibraryName]
    }

    /// Loads from the first usable candidate. A file that exists but fails to load is reported, not skipped.
    public static func locate(candidates: [String] = candidatePaths()) throws(RuntimeError) -> OnnxRuntimeLibrary {
        for candidate in candidates {
            let isFile = candidate.contains("/")
            if isFile && !FileManager.default.fileExists(atPath: candidate) { continue }
            do {
                return try load(path: candidate)
            } catch {
                if case .libraryUnusable = error, !isFile { continue }  // the loader does not know the soname
                throw error
            }
        }
        throw RuntimeError.libraryNotFound(searched: candidates)
    }

    private static let sharedResult: Result<OnnxRuntimeLibrary, RuntimeError> = Result {
        () throws(RuntimeError) -> OnnxRuntimeLibrary in try locate()
    }

    /// The process-wide library, located once (thread-safe lazy) with `candidatePaths()`.
    public static func shared() throws(RuntimeError) -> OnnxRuntimeLibrary {
        try sharedResult.get()
    }

    /// Path of the running executable (the CLI binary or the test runner).
    public static func currentExecutablePath() -> String? {
        #if os(Linux)
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return resolved
        }
        #endif
        return Bundle.main.executablePath ?? CommandLine.arguments.first
    }

    /// The execution providers this build of ONNX Runtime offers (`CPUExecutionProvider`, `CUDAExecutionProvider`…).
    public func availableProviders() throws -> [String] {
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        var count: Int32 = 0
        try check(api.pointee.GetAvailableProviders(&names, &count), "list its execution providers")
        guard let names else { return [] }
        defer { _ = api.pointee.ReleaseAvailableProviders(names, count) }
        return (0..<Int(max(count, 0))).compactMap { names[$0].map { String(cString: $0) } }
    }

    // MARK: - Status handling (used by the session wrapper)

    /// Turns an OrtStatus into a thrown `RuntimeError.onnxRuntime`, releasing the status. nil means success.
    func check(_ status: OpaquePointer?, _ operation: @autoclosure () -> String) throws {
        guard let status else { return }
        let code = Int(api.pointee.GetErrorCode(status).rawValue)
        let message = api.pointee.GetErrorMessage(status).map { String(cString: $0) } ?? "no message"
        api.pointee.ReleaseStatus(status)
        throw RuntimeError.onnxRuntime(operation: operation(), code: code, message: message)
    }

    /// Round-trips a status through the table (slots 0, 1, 2 and 93): a cheap check that the layout matches.
    func verifyStatusRoundTrip() -> Bool {
        guard let status = api.pointee.CreateStatus(ORT_INVALID_GRAPH, "embeval probe") else { return false }
        defer { api.pointee.ReleaseStatus(status) }
        let code = api.pointee.GetErrorCode(status)
        let message = api.pointee.GetErrorMessage(status).map { String(cString: $0) }
        return code == ORT_INVALID_GRAPH && message == "embeval probe"
    }
}
