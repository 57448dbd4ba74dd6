import Foundation
import Testing
@testable import Embeval

// Hostile but realistic inputs, one `embeval` invocation per case. The project's rule for bad input: ONE line on
// stderr (`error: …`) naming the file, row, tensor or flag and what was expected, exit code 2; never a signal,
// never a hang, never a silent wrong number, and nothing already written is lost. Valid-but-odd input (CRLF
// manifests, a --samples larger than the dataset) runs with exit code 0, anything on stderr being `warning: ` lines.
//
// Keys are what a user needs to find the problem (the offending file's last path component, the flag, the field),
// never the exact wording. Every input is generated at test time under a scratch folder.
//
// Each invocation runs under a watchdog (killed and failed after its time limit) and with its address space capped
// (`ulimit -v`, see `HostileRun.memoryCapKB`), so that a runaway allocation fails inside the process instead of
// taking the machine down; a case that trips the cap shows up as a signal or an out-of-memory error.
//
// `EMBEVAL_HOSTILE_LOG=FILE swift test --filter HostileInput` appends one tab-separated line per case (PASS/FAIL, name,
// exit status, seconds, problems, stderr, start of stdout): the table to report from.

// MARK: - Running one invocation

/// What one watched invocation did.
struct HostileRun: Sendable {
    var code: Int32
    /// Killed by a signal (then `code` is the signal number).
    var signalled: Bool
    /// Killed by the watchdog.
    var timedOut: Bool
    var out: String
    var err: String
    var seconds: Double

    /// The address-space cap of every invocation, in KiB (ONNX Runtime and the tiny fixtures need well under 2 GiB).
    static let memoryCapKB = 6 * 1024 * 1024

    var summary: String {
        let ending = timedOut ? "killed by the watchdog" : signalled ? "killed by signal \(code)" : "exit \(code)"
        return "\(ending) after \(String(format: "%.2f", seconds))s; stderr: \(err.isEmpty ? "<empty>" : String(err.prefix(600)).debugDescription)"
            + "; stdout: \(out.isEmpty ? "<empty>" : String(out.prefix(300)).debugDescription)"
    }
}

/// Runs the built `embeval` with `arguments` (stdin from /dev/null), killed after `timeout` seconds. Spawned and reaped
/// here with posix_spawn/poll/waitpid rather than Foundation's `Process`, whose termination notice can be lost when
/// many short-lived children come and go.
func runWatched(_ arguments: [String], timeout: Double, environment: [String: String] = [:]) throws -> HostileRun {
    let script = "cd \"$1\" && ulimit -v \(HostileRun.memoryCapKB) && shift 1 && exec \"$0\" \"$@\""
    let argv = ["/bin/sh", "-c", script, TestPaths.embevalBinary.path, TestPaths.repository.path] + arguments
    let env = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0.key)=\($0.value)" }
    var cArgs = argv.map { strdup($0) } + [nil], cEnv = env.map { strdup($0) } + [nil]
    defer { cArgs.forEach { free($0) }; cEnv.forEach { free($0) } }

    var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
    guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else { throw POSIXError(.EMFILE) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
    posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
    for fd in outPipe + errPipe { posix_spawn_file_actions_addclose(&actions, fd) }
    var pid: pid_t = 0
    let start = Date()
    let spawned = posix_spawn(&pid, "/bin/sh", &actions, nil, &cArgs, &cEnv)
    close(outPipe[1]); close(errPipe[1])
    guard spawned == 0 else {
        close(outPipe[0]); close(errPipe[0])
        throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO)
    }

    var out = Data(), err = Data()
    var open: [Int32: Bool] = [outPipe[0]: true, errPipe[0]: true]
    var status: Int32 = 0, exited = false, timedOut = false
    var buffer = [UInt8](repeating: 0, count: 65536)
    let capacity = buffer.count
    var exitedAt: Date? = nil
    while true {
        var fds = open.filter(\.value).map { pollfd(fd: $0.key, events: Int16(POLLIN), revents: 0) }
        if !fds.isEmpty { _ = poll(&fds, nfds_t(fds.count), 50) } else { usleep(20_000) }
        for p in fds where p.revents != 0 {
            let n = read(p.fd, &buffer, capacity)
            if n > 0 {
                if p.fd == outPipe[0] { out.append(contentsOf: buffer[0..<n]) } else { err.append(contentsOf: buffer[0..<n]) }
            } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                open[p.fd] = false
            }
        }
        if !exited, waitpid(pid, &status, WNOHANG) == pid {
            exited = true
            exitedAt = Date()
        }
        if exited && (!open.values.contains(true) || Date().timeIntervalSince(exitedAt!) > 5) { break }
        if !exited && !timedOut && Date().timeIntervalSince(start) > timeout {
            timedOut = true
            kill(pid, SIGKILL)
        }
    }
    let seconds = (exitedAt ?? Date()).timeIntervalSince(start)
    close(outPipe[0]); close(errPipe[0])
    let signal = status & 0x7f
    let signalled = signal != 0 && signal != 0x7f
    return HostileRun(code: signalled ? signal : (status >> 8) & 0xff, signalled: signalled && !timedOut, timedOut: timedOut,
                      out: String(decoding: out, as: UTF8.self), err: String(decoding: err, as: UTF8.self), seconds: seconds)
}

// MARK: - Cases

/// Where a case's paths point: the shared generated inputs (`@/…`), the case's own empty folder (`@@/…`), and the
/// repository's fixtures (`%/…`).
struct HostileDirs: Sendable {
    let world: URL
    let scratch: URL

    func path(_ relative: String) -> String { world.appendingPathComponent(relative).path }

    func substitute(_ argument: String) -> String {
        argument.replacingOccurrences(of: "@@/", with: "\u{1}")
            .replacingOccurrences(of: "@/", with: world.path + "/")
            .replacingOccurrences(of: "\u{1}", with: scratch.path + "/")
            .replacingOccurrences(of: "%/", with: TestPaths.fixtures.path + "/")
    }
}

struct HostileCase: Sendable, CustomTestStringConvertible {
    enum Outcome: Sendable {
        /// Exit code 2, exactly one stderr line `error: …` holding every key group (a group: any of its strings).
        case error([[String]])
        /// Exit code 0, stderr only `warning: ` lines; with keys, one warning holds every key group.
        case success(warning: [[String]]?)
        /// Either refused (as `.error`, and no table) or run cleanly (as `.success(nil)`): both are right.
        case errorOrSuccess([[String]])
        /// Either refused (as `.error`) or run with a warning holding the keys (as `.success(warning:)`).
        case errorOrWarning([[String]])
        /// Input that can produce NaN: refused with one error line, or a normal verdict (0, 1, 3) printing no NaN.
        case noSilentNaN
    }

    var name: String
    var arguments: [String]
    var outcome: Outcome
    /// Where a wrong number is the failure: stdout must hold no accuracy table or verdict.
    var noTable = false
    /// Seconds the invocation may take; the watchdog kills it then.
    var limit: Double = 60
    var environment: [String: String] = [:]
    var setup: (@Sendable (HostileDirs) throws -> Void)? = nil
    var check: (@Sendable (HostileDirs, HostileRun, Findings) throws -> Void)? = nil

    var testDescription: String { name }
}

/// A bad input: exit 2, one `error:` line holding each key (each argument lists alternatives).
func bad(_ name: String, _ arguments: [String], _ keys: [String]..., noTable: Bool = false, limit: Double = 60,
         setup: (@Sendable (HostileDirs) throws -> Void)? = nil,
         check: (@Sendable (HostileDirs, HostileRun, Findings) throws -> Void)? = nil) -> HostileCase {
    HostileCase(name: name, arguments: arguments, outcome: .error(keys), noTable: noTable, limit: limit, setup: setup, check: check)
}

/// A surprising input that may be refused or run with a warning holding each key ("warn once, or refuse").
func warnOrRefuse(_ name: String, _ arguments: [String], _ keys: [String]...) -> HostileCase {
    HostileCase(name: name, arguments: arguments, outcome: .errorOrWarning(keys))
}

/// A valid-but-odd input: exit 0; with `warning`, one warning line holding each key.
func fine(_ name: String, _ arguments: [String], warning: [[String]]? = nil, limit: Double = 60,
          setup: (@Sendable (HostileDirs) throws -> Void)? = nil,
          check: (@Sendable (HostileDirs, HostileRun, Findings) throws -> Void)? = nil) -> HostileCase {
    HostileCase(name: name, arguments: arguments, outcome: .success(warning: warning), limit: limit, setup: setup, check: check)
}

private func hasTable(_ out: String) -> Bool {
    out.contains("┏") || out.contains("Top-1") || out.contains("Verdict:")
}

private func lines(_ text: String) -> [Substring] { text.split(separator: "\n", omittingEmptySubsequences: true) }

private func matches(_ text: String, _ keys: [[String]]) -> Bool {
    keys.allSatisfy { group in group.contains { text.contains($0) } }
}

private func describe(_ keys: [[String]]) -> String {
    keys.map { $0.count == 1 ? "'\($0[0])'" : "one of " + $0.map { "'\($0)'" }.joined(separator: "/") }.joined(separator: " and ")
}

/// What a case's checks found wrong, recorded as issues (and logged) once the case is done.
final class Findings: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var problems = [String]()
    func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
        guard !condition else { return }
        let text = message()
        lock.lock(); problems.append(text); lock.unlock()
    }
}

/// Runs a case and checks what it did against its outcome.
func exercise(_ c: HostileCase) throws {
    let world = try HostileWorld.root.get()
    let dirs = HostileDirs(world: world, scratch: TestPaths.scratch("case"))
    try c.setup?(dirs)
    let r = try runWatched(c.arguments.map(dirs.substitute), timeout: c.limit, environment: c.environment)
    let f = Findings()
    defer {
        HostileWorld.log(c, r, f.problems)
        let what = "[\(c.name)] \(r.summary)"
        for problem in f.problems { Issue.record("\(problem) — \(what)") }
    }
    f.expect(!r.timedOut, "did not finish within \(Int(c.limit))s")
    f.expect(!r.signalled, "crashed (signal \(r.code))")
    f.expect(r.seconds <= c.limit + 1, "took too long")
    if r.timedOut || r.signalled {
        try c.check?(dirs, r, f)
        return
    }

    func expectError(_ keys: [[String]]) {
        f.expect(r.code == 2, "expected exit code 2, got \(r.code)")
        let errLines = lines(r.err)
        f.expect(errLines.count == 1, "expected exactly one stderr line, got \(errLines.count)")
        f.expect(errLines.last?.hasPrefix("error: ") == true, "expected an 'error: ' line")
        f.expect(matches(r.err, keys), "the error should name \(describe(keys))")
    }
    func expectSuccess(_ warning: [[String]]?) {
        f.expect(r.code == 0, "expected exit code 0, got \(r.code)")
        let errLines = lines(r.err)
        f.expect(errLines.allSatisfy { $0.hasPrefix("warning: ") }, "stderr should hold only 'warning: ' lines")
        if let warning {
            f.expect(errLines.contains { matches(String($0), warning) }, "expected a warning naming \(describe(warning))")
        }
    }

    switch c.outcome {
    case .error(let keys):
        expectError(keys)
    case .success(let warning):
        expectSuccess(warning)
    case .errorOrSuccess(let keys):
        if r.code == 0 { expectSuccess(nil) } else {
            expectError(keys)
            f.expect(!hasTable(r.out), "refused, yet a table was printed")
        }
    case .errorOrWarning(let keys):
        if r.code == 0 { expectSuccess(keys) } else { expectError(keys) }
    case .noSilentNaN:
        if r.code == 2 {
            f.expect(lines(r.err).count == 1 && r.err.hasPrefix("error: "), "expected one 'error: ' line")
        } else {
            f.expect([0, 1, 3].contains(r.code), "expected a verdict (0, 1, 3) or exit 2, got \(r.code)")
            let printed = (r.out + r.err).lowercased()
            f.expect(!printed.contains("nan") && !printed.contains("inf%") && !printed.contains(" inf "), "a NaN/Inf figure was printed")
        }
    }
    if c.noTable { f.expect(!hasTable(r.out), "a table or verdict was printed for input that has no right answer") }
    try c.check?(dirs, r, f)
}

// MARK: - Generated inputs

/// Builds every input file once, under one scratch folder.
enum HostileWorld {
    static let root: Result<URL, any Error> = Result { try build() }

    /// `EMBEVAL_HOSTILE_LOG=FILE` appends one tab-separated line per case (for reports).
    static func log(_ c: HostileCase, _ r: HostileRun, _ problems: [String]) {
        guard let file = ProcessInfo.processInfo.environment["EMBEVAL_HOSTILE_LOG"] else { return }
        let status = r.timedOut ? "TIMEOUT" : r.signalled ? "SIGNAL \(r.code)" : "exit \(r.code)"
        let line = [problems.isEmpty ? "PASS" : "FAIL", c.name, status, String(format: "%.2f", r.seconds), problems.joined(separator: "; "),
                    r.err.debugDescription, String(r.out.prefix(200)).debugDescription]
            .joined(separator: "\t") + "\n"
        if let handle = FileHandle(forWritingAtPath: file) {
            handle.seekToEndOfFile()
            handle.write(Data(line.utf8))
            handle.closeFile()
        } else {
            _ = FileManager.default.createFile(atPath: file, contents: Data(line.utf8))
        }
    }

    /// The class-folder dataset (circle/, square/ with three good images each) that holds the hostile image `file`.
    static func imageDataset(_ file: String) -> String {
        guard let index = hostileImages.firstIndex(where: { $0.file == file }) else { fatalError("no hostile image \(file)") }
        return "@/imgsets/set\(index)"
    }

    enum Forged: Sendable {
        case truncatedHalf(jpeg: Bool), prefix(jpeg: Bool, bytes: Int), random(Int), randomAfter(jpeg: Bool), empty
        case pngSize(width: UInt32, height: UInt32), jpegSize(width: Int, height: Int), badIDATCRC, gif, bmp, jpegAsPNG
    }

    /// One hostile file per dataset, in circle/ beside the good images.
    static let hostileImages: [(file: String, kind: Forged)] = [
        ("trunc-half.jpg", .truncatedHalf(jpeg: true)), ("trunc-soi.jpg", .prefix(jpeg: true, bytes: 20)),
        ("trunc-half.png", .truncatedHalf(jpeg: false)), ("trunc-sig.png", .prefix(jpeg: false, bytes: 8)),
        ("trunc-ihdr.png", .prefix(jpeg: false, bytes: 30)), ("garbage.jpg", .random(2000)), ("garbage.png", .random(1500)),
        ("garbage-soi.jpg", .randomAfter(jpeg: true)), ("garbage-sig.png", .randomAfter(jpeg: false)),
        ("empty.jpg", .empty), ("empty.png", .empty), ("empty.jpeg", .empty),
        ("badcrc.png", .badIDATCRC), ("zerodims.png", .pngSize(width: 0, height: 0)),
        ("bomb.png", .pngSize(width: 60000, height: 60000)), ("bomb.jpg", .jpegSize(width: 60000, height: 60000)),
        ("disguised.png", .gif), ("bitmap.jpg", .bmp), ("jpeg-named.png", .jpegAsPNG),
    ]

    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    static func bigEndian32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }

    /// A PNG whose IHDR declares `width`×`height` (CRC fixed, so only the size is hostile).
    static func pngDeclaring(_ png: [UInt8], width: UInt32, height: UInt32) -> [UInt8] {
        var b = png
        b.replaceSubrange(16..<20, with: bigEndian32(width))
        b.replaceSubrange(20..<24, with: bigEndian32(height))
        b.replaceSubrange(29..<33, with: bigEndian32(crc32(b[12..<29])))
        return b
    }

    /// A JPEG whose SOF declares `width`×`height`.
    static func jpegDeclaring(_ jpeg: [UInt8], width: Int, height: Int) -> [UInt8] {
        var b = jpeg, i = 2
        while i + 9 < b.count {
            guard b[i] == 0xFF else { i += 1; continue }
            let marker = b[i + 1]
            if marker == 0xFF || marker == 0x01 || (0xD0...0xD8).contains(marker) { i += marker == 0xFF ? 1 : 2; continue }
            let length = Int(b[i + 2]) << 8 | Int(b[i + 3])
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                b[i + 5] = UInt8(height >> 8); b[i + 6] = UInt8(height & 0xff)
                b[i + 7] = UInt8(width >> 8); b[i + 8] = UInt8(width & 0xff)
                return b
            }
            i += 2 + length
        }
        return b
    }

    static func random(_ count: Int, seed: UInt64) -> [UInt8] {
        var g = SeededGenerator(seed: seed)
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: g.next()) }
    }

    /// A .npy file with any header text (padded as NumPy pads it) and body.
    static func npy(header dict: String, body: [UInt8], major: UInt8 = 1) -> [UInt8] {
        let prefix = major == 1 ? 10 : 12
        var text = dict
        let unpadded = prefix + text.utf8.count + 1
        text += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data: [UInt8] = [0x93] + Array("NUMPY".utf8) + [major, 0]
        let n = text.utf8.count
        data += major == 1 ? [UInt8(n & 0xff), UInt8(n >> 8)] : [UInt8(n & 0xff), UInt8(n >> 8 & 0xff), 0, 0]
        return data + Array(text.utf8) + body
    }

    static func npy(descr: String, shape: String, body: [UInt8], fortran: Bool = false, major: UInt8 = 1) -> [UInt8] {
        npy(header: "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shape), }", body: body, major: major)
    }

    static func bytes<T>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value) { Array($0) } }
    static func floats(_ values: [Float]) -> [UInt8] { values.flatMap { bytes($0.bitPattern.littleEndian) } }
    static func int64s(_ values: [Int64]) -> [UInt8] { values.flatMap { bytes($0.littleEndian) } }

    static func matrixBytes(_ m: Matrix) -> [UInt8] { floats(m.values) }

    // swiftlint:disable:next function_body_length
    static func build() throws -> URL {
        let w = TestPaths.scratch("hostile")
        let fm = FileManager.default
        func url(_ rel: String) -> URL { w.appendingPathComponent(rel) }
        func mkdir(_ rel: String) throws { try fm.createDirectory(at: url(rel), withIntermediateDirectories: true) }
        func write(_ rel: String, _ bytes: [UInt8]) throws {
            try mkdir((rel as NSString).deletingLastPathComponent)
            try Data(bytes).write(to: url(rel))
        }
        func text(_ rel: String, _ s: String) throws { try write(rel, Array(s.utf8)) }
        func link(_ rel: String, _ target: String) throws {
            try mkdir((rel as NSString).deletingLastPathComponent)
            try fm.createSymbolicLink(atPath: url(rel).path, withDestinationPath: target)
        }
        func fixture(_ rel: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: TestPaths.fixture(rel))) }
        func copyFixture(_ rel: String, to dest: String) throws {
            try mkdir((dest as NSString).deletingLastPathComponent)
            try fm.copyItem(at: TestPaths.fixture(rel), to: url(dest))
        }

        let circles = try (0..<3).map { try fixture("twotower/images/circle/circle_00\($0).png") }
        let squares = try (0..<3).map { try fixture("twotower/images/square/square_00\($0).png") }
        let jpeg = try fixture("models/images/class_b/b2.jpg"), jpegSmall = try fixture("models/images/class_a/a2.jpg")
        func goodImages(_ dir: String) throws {
            for i in 0..<3 {
                try write("\(dir)/circle/c\(i).png", circles[i])
                try write("\(dir)/square/s\(i).png", squares[i])
            }
        }

        // Images: one dataset per hostile file.
        for (index, (file, kind)) in hostileImages.enumerated() {
            let dir = "imgsets/set\(index)"
            try goodImages(dir)
            let bytes: [UInt8]
            switch kind {
            case .truncatedHalf(let isJPEG): bytes = isJPEG ? Array(jpeg.prefix(jpeg.count / 2)) : Array(circles[0].prefix(circles[0].count / 2))
            case .prefix(let isJPEG, let n): bytes = Array((isJPEG ? jpeg : circles[0]).prefix(n))
            case .random(let n): bytes = random(n, seed: UInt64(index))
            case .randomAfter(let isJPEG): bytes = (isJPEG ? [0xFF, 0xD8, 0xFF, 0xE0] : Array(circles[0].prefix(8))) + random(1200, seed: 77)
            case .empty: bytes = []
            case .pngSize(let width, let height): bytes = pngDeclaring(circles[0], width: width, height: height)
            case .jpegSize(let width, let height): bytes = jpegDeclaring(jpegSmall, width: width, height: height)
            case .badIDATCRC:
                var b = circles[0]
                let idat = Array("IDAT".utf8)
                if let at = (0..<(b.count - 4)).first(where: { Array(b[$0..<($0 + 4)]) == idat }) { b[at + 10] ^= 0x5A }
                bytes = b
            case .gif: bytes = Array("GIF89a".utf8) + [1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 1, 0, 0x3b]
            case .bmp: bytes = Array("BM".utf8) + random(200, seed: 5)
            case .jpegAsPNG: bytes = jpeg
            }
            try write("\(dir)/circle/\(file)", bytes)
        }
        // A directory named like an image.
        try goodImages("imgsets/dirnamed")
        try write("imgsets/dirnamed/circle/folder.png/inner.png", circles[0])
        // A class whose files all have extensions no decoder takes.
        try goodImages("imgsets/unsupported")
        try fm.removeItem(at: url("imgsets/unsupported/square"))
        for i in 0..<3 { try write("imgsets/unsupported/square/s\(i).webp", squares[i]) }
        try write("imgsets/unsupported/square/s3.gif", Array("GIF89a".utf8))
        // Valid images beside other files; upper-case extension.
        try goodImages("imgsets/sidecars")
        try text("imgsets/sidecars/circle/notes.txt", "drawn by hand\n")
        try write("imgsets/sidecars/square/s9.webp", squares[0])
        try goodImages("imgsets/uppercase")
        try write("imgsets/uppercase/circle/LOUD.PNG", circles[1])
        // Symlinks: a loop on itself, a loop between two, a dangling one, a class folder pointing at the root.
        try goodImages("imgsets/selfloop")
        try link("imgsets/selfloop/circle/loop.png", "loop.png")
        try goodImages("imgsets/pairloop")
        try link("imgsets/pairloop/circle/ping.png", "pong.png")
        try link("imgsets/pairloop/circle/pong.png", "ping.png")
        try goodImages("imgsets/dangling")
        try link("imgsets/dangling/circle/gone.png", "/nonexistent-embeval/gone-target.png")
        try goodImages("imgsets/dirloop")
        try link("imgsets/dirloop/loopdir", ".")
        // Black images: the raw-pixel embedding of each is a zero vector.
        let black = try PNGWriter.encode(samples: [UInt8](repeating: 0, count: 8 * 8 * 3), width: 8, height: 8, channels: 3)
        for i in 0..<3 { try write("imgsets/black/a/a\(i).png", black); try write("imgsets/black/b/b\(i).png", black) }
        // Prior results that a failing `embed` must leave alone.
        try text("prior/embeddings.npy", "PRECIOUS")

        // Datasets: folders.
        try mkdir("ds/empty-folder")
        try mkdir("ds/classes-empty/a"); try mkdir("ds/classes-empty/b")
        try goodImages("ds/one-vacant-class"); try mkdir("ds/one-vacant-class/hollow")
        for i in 0..<3 { try write("ds/flat/c\(i).png", circles[i]) }
        try goodImages("ds/splits/train"); try goodImages("ds/splits/test")
        try text("ds/notes.txt", "not a dataset\n")

        // Datasets: manifests, beside their images.
        for i in 0..<3 { try write("man/c\(i).png", circles[i]); try write("man/s\(i).png", squares[i]) }
        let rows = (0..<3).map { ("c\($0).png", "circle") } + (0..<3).map { ("s\($0).png", "square") }
        func csv(_ header: String = "path,label", _ eol: String = "\n", rows r: [(String, String)] = rows) -> String {
            ([header] + r.map { "\($0.0),\($0.1)" }).joined(separator: eol) + eol
        }
        func jsonl(_ eol: String = "\n", rows r: [(String, String)] = rows) -> String {
            r.map { "{\"path\": \"\($0.0)\", \"label\": \"\($0.1)\"}" }.joined(separator: eol) + eol
        }
        try text("man/nopath.csv", csv("file,label"))
        try text("man/nolabel.csv", csv("path,category"))
        try text("man/emptylabel.csv", csv(rows: rows.enumerated().map { $0 == 2 ? ($1.0, "") : $1 }))
        try text("man/emptypath.csv", csv(rows: rows.enumerated().map { $0 == 4 ? ("", $1.1) : $1 }))
        try text("man/headeronly.csv", "path,label\n")
        try text("man/zero.csv", "")
        try text("man/crlf.csv", csv("path,label", "\r\n"))
        try text("man/crlf.jsonl", jsonl("\r\n"))
        try text("man/bom.csv", "\u{FEFF}" + csv("path,label", "\r\n"))
        try write("man/latin1.csv", Array("path,label\nc0.png,caf".utf8) + [0xE9] + Array("\nc1.png,circle\ns0.png,square\n".utf8))
        try write("man/latin1.jsonl", Array("{\"path\": \"c0.png\", \"label\": \"caf".utf8) + [0xE9] + Array("\"}\n{\"path\": \"s0.png\", \"label\": \"square\"}\n".utf8))
        try text("man/quote.csv", "path,label\nc0.png,circle\n\"c1.png,circle\ns0.png,square\ns1.png,square\n")
        try text("man/shortrow.csv", "path,label\nc0.png,circle\nc1.png\ns0.png,square\n")
        try text("man/ghostrow.csv", csv(rows: rows + [("ghost.png", "circle")]))
        try text("man/phantomrow.jsonl", jsonl(rows: rows + [("phantom.png", "square")]))
        try text("man/absolute.csv", csv(rows: rows.map { (url("man/\($0.0)").path, $0.1) }))
        try text("man/absghost.csv", csv(rows: rows + [("/nonexistent-embeval/abs-ghost.png", "circle")]))
        try text("man/floatlabel.jsonl", jsonl(rows: Array(rows.prefix(5))) + "{\"path\": \"s2.png\", \"label\": 1.5}\n")
        try text("man/emptylabel.jsonl", jsonl(rows: rows.enumerated().map { $0 == 1 ? ($1.0, "") : $1 }))
        try text("man/arrayline.jsonl", jsonl(rows: Array(rows.prefix(4))) + "[\"s1.png\", \"square\"]\n")
        try text("man/cutline.jsonl", jsonl(rows: Array(rows.prefix(5))) + "{\"path\": \"s2.png\", \"lab")
        try text("man/nolabel.jsonl", jsonl(rows: Array(rows.prefix(5))) + "{\"path\": \"s2.png\"}\n")
        try text("man/twice.csv", csv(rows: rows + rows))

        // Datasets: IDX files (20 images of 4×4, labels 0/1).
        func idxImages(n: UInt32, h: UInt32, w: UInt32, pixels: Int) -> [UInt8] {
            [0, 0, 8, 3] + bigEndian32(n) + bigEndian32(h) + bigEndian32(w) + random(pixels, seed: 3)
        }
        func idxLabels(_ labels: [UInt8], declared: UInt32? = nil) -> [UInt8] { [0, 0, 8, 1] + bigEndian32(declared ?? UInt32(labels.count)) + labels }
        let twenty = (0..<20).map { UInt8($0 % 2) }
        try write("idx/fine-images-idx3-ubyte", idxImages(n: 20, h: 4, w: 4, pixels: 320))
        try write("idx/fine-labels-idx1-ubyte", idxLabels(twenty))
        try write("idx/trunc-images-idx3-ubyte", idxImages(n: 100, h: 28, w: 28, pixels: 1000))
        try write("idx/trunc-labels-idx1-ubyte", idxLabels((0..<100).map { UInt8($0 % 2) }))
        try write("idx/magic-images-idx3-ubyte", [0x1f, 0x8b, 8, 3] + Array(idxImages(n: 20, h: 4, w: 4, pixels: 320).dropFirst(4)))
        try write("idx/magic-labels-idx1-ubyte", idxLabels(twenty))
        try write("idx/rank-images-idx3-ubyte", idxLabels(twenty))
        try write("idx/rank-labels-idx1-ubyte", idxLabels(twenty))
        try write("idx/lonely-images-idx3-ubyte", idxImages(n: 20, h: 4, w: 4, pixels: 320))
        try write("idx/count-images-idx3-ubyte", idxImages(n: 20, h: 4, w: 4, pixels: 320))
        try write("idx/count-labels-idx1-ubyte", idxLabels(Array(twenty.prefix(15))))
        try write("idx/huge-images-idx3-ubyte", idxImages(n: 0xFFFF_FFFF, h: 0xFFFF_FFFF, w: 0xFFFF_FFFF, pixels: 64))
        try write("idx/huge-labels-idx1-ubyte", idxLabels(twenty))
        try write("idx/none-images-idx3-ubyte", idxImages(n: 0, h: 4, w: 4, pixels: 0))
        try write("idx/none-labels-idx1-ubyte", idxLabels([]))
        try write("idx/shortlab-images-idx3-ubyte", idxImages(n: 20, h: 4, w: 4, pixels: 320))
        try write("idx/shortlab-labels-idx1-ubyte", idxLabels(Array(twenty.prefix(5)), declared: 20))
        let fmnist = URL(fileURLWithPath: DatasetSpec.fashionMNISTDirectory)
        if let images = fm.contents(atPath: fmnist.appendingPathComponent("t10k-images-idx3-ubyte.gz").path),
           let labels = fm.contents(atPath: fmnist.appendingPathComponent("t10k-labels-idx1-ubyte.gz").path) {
            try write("idx/gzcut-images-idx3-ubyte.gz", Array(images.prefix(4000)))
            try write("idx/gzcut-labels-idx1-ubyte.gz", Array(labels))
        }

        // Datasets: CIFAR batches.
        let names10 = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"].joined(separator: "\n") + "\n"
        func records(_ labels: [UInt8], header: Int = 1) -> [UInt8] {
            labels.flatMap { [UInt8](repeating: $0, count: header) + random(3072, seed: UInt64($0)) }
        }
        try write("cifar/fine/test_batch.bin", records((0..<12).map { UInt8($0 % 2) })); try text("cifar/fine/batches.meta.txt", names10)
        try write("cifar/oddsize/test_batch.bin", records([0, 1]) + [1, 2, 3, 4, 5]); try text("cifar/oddsize/batches.meta.txt", names10)
        try write("cifar/emptybatch/test_batch.bin", []); try text("cifar/emptybatch/batches.meta.txt", names10)
        try write("cifar/nometa/test_batch.bin", records([0, 1, 0, 1]))
        try write("cifar/biglabel/test_batch.bin", records([0, 1, 200, 1])); try text("cifar/biglabel/batches.meta.txt", names10)
        try write("cifar/c100odd/test.bin", records([0, 1], header: 2) + [9]); try text("cifar/c100odd/fine_label_names.txt", names10)
        try write("cifar/c100fine/test.bin", records([0, 1, 0, 1], header: 2)); try text("cifar/c100fine/fine_label_names.txt", names10)

        // Models: broken files and preprocessor configs.
        try write("models/random.onnx", random(4096, seed: 11))
        try write("models/empty.onnx", [])
        try mkdir("models/nomodel-dir")
        try copyFixture("models/vit-tiny/config.json", to: "models/config-only/config.json")
        try copyFixture("models/vit-tiny/preprocessor_config.json", to: "models/config-only/preprocessor_config.json")
        let onnx = try fixture("models/vit-tiny/model.onnx")
        try copyFixture("models/vit-tiny/config.json", to: "models/halfonnx/config.json")
        try copyFixture("models/vit-tiny/preprocessor_config.json", to: "models/halfonnx/preprocessor_config.json")
        try write("models/halfonnx/model.onnx", Array(onnx.prefix(onnx.count / 2)))
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: TestPaths.fixture("models/vit-tiny/preprocessor_config.json"))) as! [String: Any]
        for (tag, change) in configVariants {
            let dir = "models/cfg-\(tag)"
            try copyFixture("models/vit-tiny/config.json", to: "\(dir)/config.json")
            try copyFixture("models/vit-tiny/model.onnx", to: "\(dir)/model.onnx")
            switch change {
            case .raw(let body): try text("\(dir)/preprocessor_config.json", body)
            case .set(let key, let json):
                var c = config
                c[key] = try JSONSerialization.jsonObject(with: Data(json.utf8), options: .fragmentsAllowed)
                try write("\(dir)/preprocessor_config.json", [UInt8](try JSONSerialization.data(withJSONObject: c, options: [.sortedKeys])))
            }
        }

        for dir in ["npy", "cmp/base-run", "cmp/cand-run", "ex"] { try mkdir(dir) }

        // Embeddings (.npy).
        let (m, labels) = clusteredEmbeddings(rows: 60, columns: 4, classes: 3, seed: 21)
        try NumpyArray.write(m, to: url("npy/e.npy"))
        try NumpyArray.write(labels: labels, to: url("npy/l.npy"))
        try NumpyArray.write(labels: Array(0..<60), to: url("npy/unique-labels.npy"))
        try NumpyArray.write(labels: [Int](repeating: 0, count: 60), to: url("npy/one-class-labels.npy"))
        let body = matrixBytes(m)
        let valid = [UInt8](try Data(contentsOf: url("npy/e.npy")))
        try write("npy/badmagic.npy", Array("PK\u{3}\u{4}".utf8) + Array(valid.dropFirst(4)))
        try write("npy/truncheader.npy", Array(valid.prefix(20)))
        try write("npy/headerlen.npy", [0x93] + Array("NUMPY".utf8) + [1, 0, 0x60, 0xEA] + Array("{'descr': '<f4', ".utf8))
        try write("npy/hugeheader.npy", [0x93] + Array("NUMPY".utf8) + [2, 0, 0xFF, 0xFF, 0xFF, 0xFF] + Array("{'descr': '<f4', ".utf8))
        try write("npy/emptyfile.npy", [])
        try write("npy/negdim.npy", npy(descr: "<f4", shape: "(-1, 4)", body: body))
        try write("npy/overflow.npy", npy(descr: "<f4", shape: "(9223372036854775807, 2)", body: body))
        try write("npy/overflow2.npy", npy(descr: "<f4", shape: "(4294967296, 4294967296)", body: body))
        try write("npy/fortran.npy", npy(descr: "<f4", shape: "(60, 4)", body: body, fortran: true))
        try write("npy/bigendian.npy", npy(descr: ">f4", shape: "(60, 4)", body: m.values.flatMap { bytes($0.bitPattern.bigEndian) }))
        try write("npy/object.npy", npy(descr: "|O", shape: "(60, 4)", body: [UInt8](repeating: 0, count: 60 * 4 * 8)))
        try write("npy/complex.npy", npy(descr: "<c8", shape: "(60, 4)", body: body + body))
        try write("npy/unicode.npy", npy(descr: "<U10", shape: "(60, 4)", body: [UInt8](repeating: 0x41, count: 60 * 4 * 40)))
        try write("npy/threed.npy", npy(descr: "<f4", shape: "(60, 2, 2)", body: body))
        try write("npy/dzero.npy", npy(descr: "<f4", shape: "(60, 0)", body: []))
        try write("npy/nzero.npy", npy(descr: "<f4", shape: "(0, 4)", body: []))
        try write("npy/nzero-labels.npy", npy(descr: "<i8", shape: "(0,)", body: []))
        try write("npy/scalar.npy", npy(descr: "<f4", shape: "()", body: floats([1])))
        try write("npy/shortdata.npy", npy(descr: "<f4", shape: "(60, 4)", body: Array(body.prefix(100))))
        try write("npy/noshape.npy", npy(header: "{'descr': '<f4', 'fortran_order': False, }", body: body))
        try write("npy/wordshape.npy", npy(descr: "<f4", shape: "(60, four)", body: body))
        try write("npy/sizeless.npy", npy(descr: "<f", shape: "(60, 4)", body: body))
        var withNaN = m; withNaN[3, 1] = .nan
        try NumpyArray.write(withNaN, to: url("npy/nanrow.npy"))
        var withInf = m; withInf[5, 0] = -.infinity
        try NumpyArray.write(withInf, to: url("npy/infrow.npy"))
        try NumpyArray.write(Matrix(rows: 60, columns: 4, values: [Float](repeating: 0, count: 240)), to: url("npy/zerorows.npy"))
        try write("npy/f16.npy", npy(descr: "<f2", shape: "(60, 4)", body: m.values.flatMap { bytes(Float16($0).bitPattern.littleEndian) }))
        try write("npy/v2.npy", npy(descr: "<f4", shape: "(60, 4)", body: body, major: 2))
        try NumpyArray.write(m.selectingRows([0]), to: url("npy/one.npy"))
        try NumpyArray.write(labels: [0], to: url("npy/one-labels.npy"))
        let (train6, trainLabels) = clusteredEmbeddings(rows: 60, columns: 6, classes: 3, seed: 22)
        try NumpyArray.write(train6, to: url("npy/train6.npy"))
        try NumpyArray.write(labels: trainLabels, to: url("npy/train-labels.npy"))
        try write("npy/traind0.npy", npy(descr: "<f4", shape: "(60, 0)", body: []))
        try mkdir("npy/a-directory.npy")
        // Labels.
        try NumpyArray.write(labels: labels.map { $0 == 2 ? 1_000_000_000_000 : $0 }, to: url("npy/huge-labels.npy"))
        try NumpyArray.write(labels: labels.map { $0 == 1 ? -4 : $0 }, to: url("npy/neg-labels.npy"))
        try NumpyArray.write(labels: Array(labels.prefix(50)), to: url("npy/short-labels.npy"))
        try write("npy/float-labels.npy", npy(descr: "<f4", shape: "(60,)", body: floats(labels.map { Float($0) + 0.5 })))
        try write("npy/labels2d.npy", npy(descr: "<i8", shape: "(20, 3)", body: int64s(labels.map(Int64.init))))
        try write("npy/badmagic-labels.npy", Array("\u{93}NUMPX".utf8) + Array(valid.dropFirst(6)))
        try write("npy/u8max-labels.npy", npy(descr: "<u8", shape: "(60,)", body: labels.flatMap { bytes(($0 == 2 ? UInt64.max : UInt64($0)).littleEndian) }))
        try write("npy/i4-labels.npy", npy(descr: "<i4", shape: "(60,)", body: labels.flatMap { bytes(Int32($0).littleEndian) }))
        try write("npy/column-labels.npy", npy(descr: "<i8", shape: "(60, 1)", body: int64s(labels.map(Int64.init))))
        try NumpyArray.write(labels: labels, to: url("npy/json-target-labels.npy"))

        // Text: tokenizers, templates, class names.
        let clipJSON = try JSONSerialization.jsonObject(with: Data(contentsOf: TestPaths.fixture("twotower/clip/text-encoder/tokenizer.json"))) as! [String: Any]
        func tokenizerDir(_ name: String, _ contents: [UInt8]?) throws {
            for file in ["special_tokens_map.json", "tokenizer_config.json", "config.json"] {
                try copyFixture("twotower/clip/text-encoder/\(file)", to: "tok/\(name)/\(file)")
            }
            if let contents { try write("tok/\(name)/tokenizer.json", contents) }
        }
        func json(_ object: [String: Any]) throws -> [UInt8] { [UInt8](try JSONSerialization.data(withJSONObject: object)) }
        try tokenizerDir("tok-notjson", Array("{\"version\": \"1.0\", \"model\": {\"type\": \"BPE\", ".utf8))
        try tokenizerDir("tok-emptyfile", [])
        var noModel = clipJSON; noModel["model"] = nil
        try tokenizerDir("tok-nomodel", try json(noModel))
        var unknownType = clipJSON, model = clipJSON["model"] as! [String: Any]
        var foo = model; foo["type"] = "Foo"; unknownType["model"] = foo
        try tokenizerDir("tok-unknowntype", try json(unknownType))
        var badMerges = clipJSON, merged = model
        merged["merges"] = ((model["merges"] as? [Any]) ?? []) + [["zqx</w>", "\u{2603}\u{2603}"]]
        badMerges["model"] = merged
        try tokenizerDir("tok-badmerges", try json(badMerges))
        var vocabList = clipJSON, listed = model
        listed["vocab"] = ["a", "b", "c"]; vocabList["model"] = listed
        try tokenizerDir("tok-vocablist", try json(vocabList))
        try tokenizerDir("tok-emptydir", nil)
        try write("tok/tok-badspiece/spiece.model", random(3000, seed: 9))
        try copyFixture("twotower/siglip/text-encoder/tokenizer_config.json", to: "tok/tok-badspiece/tokenizer_config.json")
        try text("txt/empty-templates.txt", "")
        try text("txt/noslot-templates.txt", "a photo of a {}.\na drawing of something.\n")
        try write("txt/nonutf8-templates.txt", Array("a photo of a {}.\na caf".utf8) + [0xE9] + Array(" {}.\n".utf8))
        let classes = ["circle", "gradient", "square", "stripes", "triangle"]
        try write("txt/nonutf8-classes.txt", Array("circle\ngradient\nsquare\nstri".utf8) + [0xFF, 0xFE] + Array("pes\ntriangle\n".utf8))
        try text("txt/dup-classes.txt", "circle\ngradient\ncircle\nstripes\ntriangle\n")
        let long = String(repeating: "very long class ", count: 32_768)
        try text("txt/dup-long-classes.txt", "circle\n\(long)\ngradient\n\(long)\nstripes\n")
        try text("txt/empty-classes.txt", "")
        try text("txt/few-classes.txt", classes.prefix(3).joined(separator: "\n") + "\n")
        try text("txt/blank-classes.txt", "\n\n  \n\n")
        _ = classes

        // Compare: 200 samples of 8 dimensions.
        let (a, cmpLabels) = clusteredEmbeddings(rows: 200, columns: 8, classes: 4, seed: 31)
        var b = a
        var g = SeededGenerator(seed: 6)
        for i in 0..<b.values.count { b.values[i] += Float(Double(g.next() % 1000) / 1000 - 0.5) * 0.05 }
        try NumpyArray.write(a, to: url("cmp/a.npy"))
        try NumpyArray.write(b, to: url("cmp/b.npy"))
        try NumpyArray.write(labels: cmpLabels, to: url("cmp/l.npy"))
        try NumpyArray.write(a.selectingRows(Array(0..<150)), to: url("cmp/short.npy"))
        try NumpyArray.write(labels: Array(cmpLabels.prefix(150)), to: url("cmp/short-labels.npy"))
        try NumpyArray.write(labels: cmpLabels.map { $0 == 3 ? -1 : $0 }, to: url("cmp/neg-labels.npy"))
        var bNaN = b; bNaN[17, 2] = .nan
        try NumpyArray.write(bNaN, to: url("cmp/cand-nan.npy"))
        try write("cmp/cand-d0.npy", npy(descr: "<f4", shape: "(200, 0)", body: []))
        let (six, _) = clusteredEmbeddings(rows: 200, columns: 6, classes: 4, seed: 32)
        try NumpyArray.write(six, to: url("cmp/width6.npy"))
        try NumpyArray.write(a, to: url("cmp/base-run/embeddings.npy"))
        try text("cmp/base-run/ids.txt", (0..<200).map { String(format: "img_%03d", $0) }.joined(separator: "\n") + "\n")
        try NumpyArray.write(b, to: url("cmp/cand-run/embeddings.npy"))
        try text("cmp/cand-run/ids.txt", (0..<200).map { String(format: "other_%03d", $0) }.joined(separator: "\n") + "\n")

        // Check: expectations files.
        let base: [String: Any] = ["model": "pixels", "task": "knn", "dataset": "fashion-mnist", "samples": 50, "k": 5,
                                   "metric": "top1_accuracy", "expected": 70, "tolerance": 30]
        for (file, change) in checkVariants {
            switch change {
            case .raw(let body): try text("check/\(file)", body)
            case .set(let key, let value):
                var entry = base
                if value == "<remove>" { entry[key] = nil } else {
                    entry[key] = try JSONSerialization.jsonObject(with: Data(value.replacingOccurrences(of: "@/", with: w.path + "/").utf8), options: .fragmentsAllowed)
                }
                try write("check/\(file)", [UInt8](try JSONSerialization.data(withJSONObject: [entry], options: [.sortedKeys])))
            }
        }
        // The all-black entry three times over: the same warnings, each printed once.
        var blackEntry = base
        blackEntry["dataset"] = w.path + "/imgsets/black"
        try write("check/blackthrice.json", [UInt8](try JSONSerialization.data(withJSONObject: [blackEntry, blackEntry, blackEntry],
                                                                                 options: [.sortedKeys])))

        // Explore: 120 points of 8 dimensions.
        let (ex, exLabels) = clusteredEmbeddings(rows: 120, columns: 8, classes: 3, seed: 41)
        try NumpyArray.write(ex, to: url("ex/e.npy"))
        try NumpyArray.write(labels: exLabels, to: url("ex/l.npy"))
        try NumpyArray.write(labels: Array(exLabels.prefix(100)), to: url("ex/short-labels.npy"))
        try NumpyArray.write(ex.selectingRows(Array(0..<5)), to: url("ex/five.npy"))
        try NumpyArray.write(ex.selectingRows([0]), to: url("ex/single.npy"))
        try NumpyArray.write(clusteredEmbeddings(rows: 20, columns: 64, classes: 2, seed: 42).0, to: url("ex/twenty-wide.npy"))
        let (d1, _) = clusteredEmbeddings(rows: 120, columns: 1, classes: 3, seed: 42)
        try NumpyArray.write(d1, to: url("ex/d1.npy"))
        try NumpyArray.write(clusteredEmbeddings(rows: 120, columns: 2, classes: 3, seed: 42).0, to: url("ex/d2.npy"))
        try write("ex/d0.npy", npy(descr: "<f4", shape: "(120, 0)", body: []))
        var exNaN = ex; exNaN[9, 3] = .nan
        try NumpyArray.write(exNaN, to: url("ex/nanrows.npy"))
        try NumpyArray.write(Matrix(rows: 120, columns: 8, values: (0..<960).map { Float($0 % 8) + 1 }), to: url("ex/identical.npy"))
        try write("ex/garbage.map", random(3000, seed: 12))
        try write("ex/empty.map", [])
        let (addEx, _) = clusteredEmbeddings(rows: 20, columns: 8, classes: 3, seed: 43)
        var addNaN = addEx; addNaN[4, 4] = .nan
        try NumpyArray.write(addNaN, to: url("ex/add-nan.npy"))
        let (wide, _) = clusteredEmbeddings(rows: 20, columns: 9, classes: 3, seed: 44)
        try NumpyArray.write(wide, to: url("ex/wide.npy"))
        try write("ex/add-d0.npy", npy(descr: "<f4", shape: "(20, 0)", body: []))
        try write("ex/add-bad.npy", Array("not numpy at all".utf8))

        // Outputs.
        try mkdir("out/is-a-dir.json")
        try text("out/a-file.txt", "plain file\n")
        try text("out/existing.bin", "PRECIOUS")
        try text("out/old.json", "OLD RESULT")
        return w
    }

    enum ConfigChange: Sendable { case raw(String), set(String, String) }

    static let configVariants: [(String, ConfigChange)] = [
        ("size0", .set("size", #"{"height": 0, "width": 0}"#)), ("sizeneg", .set("size", #"{"height": -5, "width": -5}"#)),
        ("sizehuge", .set("size", #"{"height": 100000, "width": 100000}"#)), ("sizeint0", .set("size", "0")),
        ("edge0", .set("size", #"{"shortest_edge": 0}"#)), ("sizetext", .set("size", #""big""#)),
        ("std0", .set("image_std", "[0, 0, 0]")), ("stdscalar0", .set("image_std", "0")), ("mean2", .set("image_mean", "[0.5, 0.5]")),
        ("notjson", .raw("size: 224\nimage_mean: [0.5]\n")), ("emptyfile", .raw("")), ("array", .raw("[1, 2, 3]")),
        ("unknowntype", .set("image_processor_type", #""FooBarImageProcessor""#)), ("resample99", .set("resample", "99")),
        ("rescale0", .set("rescale_factor", "\"tiny\"")),
    ]

    static let checkVariants: [(String, ConfigChange)] = [
        ("malformed.json", .raw("[\n  {\"model\": \"pixels\", \"task\": \"knn\",\n   \"dataset\": \"fashion-mnist\" \"metric\": \"top1_accuracy\"}\n]\n")),
        ("empty-list.json", .raw("[]")), ("entries-empty.json", .raw(#"{"entries": []}"#)), ("zero-bytes.json", .raw("")),
        ("object-only.json", .raw("{}")), ("number-entry.json", .raw("[1]")),
        ("task.json", .set("task", #""knn2""#)), ("metric.json", .set("metric", #""top3_accuracy""#)),
        ("protocol.json", .set("protocol", #""k-fold""#)), ("weighting.json", .set("weighting", #""inverse""#)),
        ("tolerence.json", .set("tolerence", "1")), ("kzero.json", .set("k", "0")), ("samples.json", .set("samples", "-3")),
        ("tolerance0.json", .set("tolerance", "0")), ("toleranceneg.json", .set("tolerance", "-1")),
        ("expectedtext.json", .set("expected", #""high""#)), ("nodataset.json", .set("dataset", "<remove>")),
        ("nomodel.json", .set("model", "<remove>")), ("missingmodel.json", .set("model", #""no-such-model.onnx""#)),
        ("missingdataset.json", .set("dataset", #""no-such-dataset""#)), ("hugeexpected.json", .raw(#"[{"model": "pixels", "task": "knn", "dataset": "fashion-mnist", "samples": 50, "k": 5, "metric": "top1_accuracy", "expected": 1e999, "tolerance": 30}]"#)),
        ("recallknn.json", .set("metric", #""mean_per_class_recall""#)), ("badimage.json", .set("on_bad_image", #""ignore""#)),
        ("pooling.json", .set("pooling", #""max""#)), ("mean.json", .set("mean", "[1, 2]")), ("imagesize.json", .set("image_size", "0")),
        ("columns.json", .set("columns", #"{"colour": "red"}"#)), ("splitcheck.json", .set("split", #""validation""#)),
        ("tinytemp.json", .raw(#"[{"model": "pixels", "task": "knn", "dataset": "fashion-mnist", "samples": 50, "k": 5, "metric": "top1_accuracy", "expected": 70, "tolerance": 30, "weighting": "exp", "temperature": 1e-30}]"#)),
        ("blackimages.json", .set("dataset", #""@/imgsets/black""#)),
        // Expected values no figure can take: 1e308 ± 1e308 passed every run, as did 150 ± 100.
        ("impossible.json", .raw(#"[{"model": "pixels", "task": "knn", "dataset": "fashion-mnist", "samples": 50, "k": 5, "metric": "top1_accuracy", "expected": 1e308, "tolerance": 1e308}]"#)),
        ("beyond100.json", .raw(#"[{"model": "pixels", "task": "knn", "dataset": "fashion-mnist", "samples": 50, "k": 5, "metric": "top1_accuracy", "expected": 150, "tolerance": 100}]"#)),
        // A field the entry's task does not read (a knn entry's "C"): it was ignored, and the entry passed.
        ("unusedfield.json", .raw(#"[{"model": "pixels", "task": "knn", "dataset": "fashion-mnist", "samples": 50, "k": 5, "metric": "top1_accuracy", "expected": 50, "tolerance": 50, "C": 1e-6}]"#)),
        // A tolerance past the metric's whole range: 1.5e308 trapped the page's forest plot (signal 4).
        ("hugetolerance.json", .raw(#"[{"model": "pixels", "task": "knn", "dataset": "fashion-mnist", "samples": 50, "k": 5, "metric": "top1_accuracy", "expected": 50, "tolerance": 1.5e308}]"#)),
    ]

    /// Maps made once from ex/e.npy (for the --map cases).
    static let maps: Result<URL, any Error> = Result {
        let world = try root.get()
        let out = world.appendingPathComponent("ex/maps")
        let r = try runWatched(["explore", "--embeddings", world.appendingPathComponent("ex/e.npy").path, "--method", "pca,umap",
                                "--out", out.path, "--no-thumbnails"], timeout: 120)
        guard r.code == 0, FileManager.default.fileExists(atPath: out.appendingPathComponent("umap.map").path) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "could not make the maps: \(r.summary)"])
        }
        return out
    }
}

// MARK: - Checks used by several cases

private func fileType(_ path: String) -> mode_t? {
    var st = stat()
    return lstat(path, &st) == 0 ? st.st_mode & S_IFMT : nil
}

/// /dev/full must still be the character device afterwards (restored if a run replaced it, so the machine stays sane).
private func devFullIntact(_: HostileDirs, _: HostileRun, _ f: Findings) throws {
    let intact = fileType("/dev/full") == S_IFCHR
    f.expect(intact, "/dev/full is no longer a character device")
    if !intact {
        unlink("/dev/full")
        mknod("/dev/full", S_IFCHR | 0o666, dev_t((1 << 8) | 7))
    }
}

private func unchanged(_ relative: String, _ content: String) -> @Sendable (HostileDirs, HostileRun, Findings) throws -> Void {
    { dirs, _, f in
        let now = try? String(contentsOfFile: dirs.path(relative), encoding: .utf8)
        f.expect(now == content, "'\(relative)' was changed by a failed run: \(String(describing: now?.prefix(80)))")
    }
}

private func jsonObject(_ text: String) -> Bool {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8))) is [String: Any]
}

// MARK: - The tables

@Suite(.serialized) struct HostileInputTests {
    static let knnPixels = ["knn", "-m", "pixels", "--image-size", "16", "--k", "1", "--dataset"]
    static let vit = "%/models/vit-tiny"
    static let fmnist = ["--dataset", "fashion-mnist", "--samples", "50", "--k", "5"]
    static let clipRoles = ["-m", "image-encoder=%/twotower/clip/image-encoder", "-m", "text-encoder=%/twotower/clip/text-encoder"]
    static let zeroshot = ["zeroshot"] + clipRoles + ["--dataset", "%/twotower/images", "--samples", "10"]
    static let knnNpy = ["knn", "--embeddings", "@/npy/e.npy", "--labels", "@/npy/l.npy", "--k", "3"]
    static let compare = ["compare", "--baseline-embeddings", "@/cmp/a.npy", "--labels", "@/cmp/l.npy", "--bootstrap", "200"]
    static let explore = ["explore", "--embeddings", "@/ex/e.npy", "--labels", "@/ex/l.npy", "--no-thumbnails", "--out", "@@/maps"]

    static func img(_ file: String) -> String { HostileWorld.imageDataset(file) }
    static let bombKeys: [[String]] = [["60000", "3600000000", "3,600,000,000", "3.6"]]

    // MARK: images

    static let imageCases: [HostileCase] = {
        var cases = [HostileCase]()
        let plain = ["trunc-half.jpg", "trunc-soi.jpg", "trunc-half.png", "trunc-sig.png", "trunc-ihdr.png", "garbage.jpg",
                     "garbage.png", "garbage-soi.jpg", "garbage-sig.png", "empty.jpg", "empty.png", "empty.jpeg", "badcrc.png",
                     "zerodims.png", "disguised.png", "bitmap.jpg"]
        for file in plain { cases.append(bad("image \(file)", knnPixels + [img(file)], [file])) }
        cases += [
            bad("PNG bomb 60000×60000", knnPixels + [img("bomb.png")], ["bomb.png"], bombKeys[0], limit: 10),
            bad("JPEG bomb 60000×60000", knnPixels + [img("bomb.jpg")], ["bomb.jpg"], bombKeys[0], limit: 10),
            bad("PNG bomb through an ONNX model", ["knn", "-m", vit, "--k", "1", "--dataset", img("bomb.png")], ["bomb.png"], bombKeys[0], limit: 10),
            bad("JPEG bomb through embed", ["embed", "-m", "pixels", "--image-size", "16", "--dataset", img("bomb.jpg"), "--output", "@@/emb"],
                ["bomb.jpg"], bombKeys[0], limit: 10),
            bad("JPEG bomb through zeroshot", ["zeroshot"] + clipRoles + ["--dataset", img("bomb.jpg")], ["bomb.jpg"], bombKeys[0], limit: 10),
            // A raised --max-image-pixels lets the header through; the memory it would take (10.8 GB) is still refused
            // up front, as one line naming the file, not a trap on the allocation (the cap here is 6 GiB).
            bad("JPEG bomb past the memory cap, pixel limit raised", knnPixels + [img("bomb.jpg"), "--max-image-pixels", "10000000000"],
                ["bomb.jpg"], ["60000"], ["memory"], limit: 10),
            bad("PNG bomb past the memory cap, pixel limit raised", knnPixels + [img("bomb.png"), "--max-image-pixels", "10000000000"],
                ["bomb.png"], ["60000"], ["memory"], limit: 10),
            // 10,000 rows of 786,432 values (31 GB) to be kept for the kNN: refused after the first batch, not when the
            // allocation fails.
            bad("rows past the memory cap: pixels at 512×512", ["knn", "-m", "pixels", "--image-size", "512", "--dataset", "fashion-mnist"],
                ["fashion-mnist"], ["786432 values"], ["memory"], ["--embeddings"], limit: 30),
            fine("JPEG bomb past the memory cap skipped", knnPixels + [img("bomb.jpg"), "--max-image-pixels", "10000000000",
                                                              "--on-bad-image", "skip"], warning: [["bomb.jpg"], ["memory"]], limit: 10),
            fine("PNG bomb skipped", knnPixels + [img("bomb.png"), "--on-bad-image", "skip"], warning: [["bomb.png"]], limit: 10),
            fine("JPEG bomb skipped", knnPixels + [img("bomb.jpg"), "--on-bad-image", "skip"], warning: [["bomb.jpg"]], limit: 10),
            fine("truncated JPEG skipped", knnPixels + [img("trunc-half.jpg"), "--on-bad-image", "skip"], warning: [["trunc-half.jpg"]]),
            fine("garbage PNG skipped", knnPixels + [img("garbage.png"), "--on-bad-image", "skip"], warning: [["garbage.png"]]),
            fine("zero-byte PNG skipped", knnPixels + [img("empty.png"), "--on-bad-image", "skip"], warning: [["empty.png"]]),
            bad("truncated JPEG through an ONNX model", ["knn", "-m", vit, "--k", "1", "--dataset", img("trunc-half.jpg")], ["trunc-half.jpg"]),
            bad("truncated PNG through explore", ["explore", "-m", "pixels", "--image-size", "16", "--dataset", img("trunc-half.png"),
                                                  "--method", "pca", "--out", "@@/maps"], ["trunc-half.png"]),
            bad("garbage JPEG through zeroshot", ["zeroshot"] + clipRoles + ["--dataset", img("garbage.jpg")], ["garbage.jpg"]),
            bad("directory named like an image", knnPixels + ["@/imgsets/dirnamed"], ["folder.png"]),
            warnOrRefuse("class of unsupported extensions only", knnPixels + ["@/imgsets/unsupported"], ["square"]),
            fine("text and webp files beside the images", knnPixels + ["@/imgsets/sidecars"]),
            fine("upper-case .PNG extension", knnPixels + ["@/imgsets/uppercase"]),
            fine("a JPEG named .png", knnPixels + [img("jpeg-named.png")]),
            bad("symlink loop on itself", knnPixels + ["@/imgsets/selfloop"], ["loop.png"]),
            bad("symlink loop between two files", knnPixels + ["@/imgsets/pairloop"], ["ping.png", "pong.png"]),
            bad("dangling symlink", knnPixels + ["@/imgsets/dangling"], ["gone.png", "gone-target.png"]),
            warnOrRefuse("class folder linking back to the root", knnPixels + ["@/imgsets/dirloop"], ["loopdir"]),
        ]
        return cases
    }()

    @Test(arguments: imageCases) func images(_ c: HostileCase) throws { try exercise(c) }

    // MARK: datasets

    static let datasetCases: [HostileCase] = [
        bad("missing dataset path", knnPixels + ["@/no-such-dataset"], ["no-such-dataset"]),
        bad("empty dataset string", knnPixels + [""], ["--dataset", "dataset ''"]),
        bad("empty folder", knnPixels + ["@/ds/empty-folder"], ["empty-folder"]),
        bad("class folders without images", knnPixels + ["@/ds/classes-empty"], ["classes-empty"]),
        warnOrRefuse("one class folder without images", knnPixels + ["@/ds/one-vacant-class"], ["hollow"]),
        bad("images without class folders", knnPixels + ["@/ds/flat"], ["flat"]),
        bad("a text file as dataset", knnPixels + ["@/ds/notes.txt"], ["notes.txt"]),
        fine("CSV listing every path twice", knnPixels + ["@/man/twice.csv"], warning: [["twice.csv"], ["6 path(s) again"], ["first: 'c0.png'"]]),
        bad("CSV without the path column", knnPixels + ["@/man/nopath.csv"], ["nopath.csv"]),
        bad("CSV without the label column", knnPixels + ["@/man/nolabel.csv"], ["nolabel.csv"]),
        bad("CSV row with an empty label", knnPixels + ["@/man/emptylabel.csv"], ["emptylabel.csv"]),
        bad("CSV row with an empty path", knnPixels + ["@/man/emptypath.csv"], ["emptypath.csv"]),
        bad("CSV header only", knnPixels + ["@/man/headeronly.csv"], ["headeronly.csv"]),
        bad("zero-byte CSV", knnPixels + ["@/man/zero.csv"], ["zero.csv"]),
        fine("CSV with CRLF line endings", knnPixels + ["@/man/crlf.csv"]),
        fine("JSONL with CRLF line endings", knnPixels + ["@/man/crlf.jsonl"]),
        fine("CSV with a UTF-8 byte-order mark", knnPixels + ["@/man/bom.csv"]),
        bad("CSV in Latin-1", knnPixels + ["@/man/latin1.csv"], ["latin1.csv"]),
        bad("JSONL in Latin-1", knnPixels + ["@/man/latin1.jsonl"], ["latin1.jsonl"]),
        bad("CSV with an unbalanced quote", knnPixels + ["@/man/quote.csv"], ["quote.csv"], noTable: true),
        bad("CSV row with one column", knnPixels + ["@/man/shortrow.csv"], ["shortrow.csv"]),
        bad("CSV row naming a missing image", knnPixels + ["@/man/ghostrow.csv"], ["ghost.png"]),
        bad("JSONL row naming a missing image", knnPixels + ["@/man/phantomrow.jsonl"], ["phantom.png"]),
        fine("CSV with absolute paths", knnPixels + ["@/man/absolute.csv"]),
        bad("CSV with an absolute path to a missing image", knnPixels + ["@/man/absghost.csv"], ["abs-ghost.png"]),
        bad("JSONL with a fractional label", knnPixels + ["@/man/floatlabel.jsonl"], ["floatlabel.jsonl"]),
        bad("JSONL with an empty label", knnPixels + ["@/man/emptylabel.jsonl"], ["emptylabel.jsonl"]),
        bad("JSONL line that is an array", knnPixels + ["@/man/arrayline.jsonl"], ["arrayline.jsonl"]),
        bad("JSONL cut mid-line", knnPixels + ["@/man/cutline.jsonl"], ["cutline.jsonl"]),
        bad("JSONL line without a label", knnPixels + ["@/man/nolabel.jsonl"], ["nolabel.jsonl"]),
        bad("--split missing from a folder without splits", knnPixels + ["@/imgsets/sidecars", "--split", "nosuch"], ["nosuch"], noTable: true),
        bad("--split missing from a folder with splits", knnPixels + ["@/ds/splits", "--split", "nosuch"], ["nosuch"], noTable: true),
        fine("--split test of a folder with splits", knnPixels + ["@/ds/splits", "--split", "test"]),
        bad("--split validation of fashion-mnist", ["knn", "-m", "pixels", "--split", "validation"] + fmnist, ["validation"], noTable: true),
        bad("--split of a manifest", knnPixels + ["@/man/crlf.csv", "--split", "holdout"], ["holdout", "--split"], noTable: true),
        bad("--split of CIFAR", knnPixels + ["cifar10:@/cifar/fine", "--split", "holdout"], ["holdout"], noTable: true),
        bad("--train-split missing", knnPixels + ["@/ds/splits", "--split", "test", "--protocol", "train-test", "--train-split", "nosuch"],
            ["nosuch"], noTable: true),
        bad("--samples=-5", ["knn", "-m", "pixels", "--dataset", "fashion-mnist", "--samples=-5"], ["--samples"]),
        bad("--samples -5", ["knn", "-m", "pixels", "--dataset", "fashion-mnist", "--samples", "-5"], ["--samples"]),
        bad("--samples 0", ["knn", "-m", "pixels", "--dataset", "fashion-mnist", "--samples", "0"], ["--samples"]),
        bad("--samples abc", ["knn", "-m", "pixels", "--dataset", "fashion-mnist", "--samples", "abc"], ["--samples"]),
        fine("--samples beyond fashion-mnist", ["knn", "-m", "pixels", "--dataset", "fashion-mnist", "--samples", "100000", "--k", "5"],
             warning: [["--samples", "100000"]]),
        fine("--samples beyond a folder", knnPixels + ["@/imgsets/sidecars", "--samples", "500"], warning: [["--samples", "500"]]),
        bad("--train-samples 0", ["knn", "-m", "pixels", "--protocol", "train-test", "--train-samples", "0"] + fmnist, ["--train-samples"]),
        fine("tiny IDX pair", knnPixels + ["@/idx/fine-images-idx3-ubyte"]),
        bad("IDX images truncated", knnPixels + ["@/idx/trunc-images-idx3-ubyte"], ["trunc-images-idx3-ubyte"]),
        bad("IDX images with a wrong magic", knnPixels + ["@/idx/magic-images-idx3-ubyte"], ["magic-images-idx3-ubyte"]),
        bad("IDX images holding a label file", knnPixels + ["@/idx/rank-images-idx3-ubyte"], ["rank-images-idx3-ubyte"]),
        bad("IDX images without labels", knnPixels + ["@/idx/lonely-images-idx3-ubyte"], ["lonely-labels-idx1-ubyte"]),
        bad("IDX label count differs", knnPixels + ["@/idx/count-images-idx3-ubyte"], ["count-labels-idx1-ubyte", "count-images-idx3-ubyte"]),
        bad("IDX declaring 2^32-1 cubed", knnPixels + ["@/idx/huge-images-idx3-ubyte"], ["huge-images-idx3-ubyte"], limit: 20),
        bad("IDX with no images", knnPixels + ["@/idx/none-images-idx3-ubyte"], ["none-images-idx3-ubyte", "none-labels-idx1-ubyte"]),
        bad("IDX labels truncated", knnPixels + ["@/idx/shortlab-images-idx3-ubyte"], ["shortlab-labels-idx1-ubyte"]),
        bad("IDX gzip cut short", knnPixels + ["@/idx/gzcut-images-idx3-ubyte.gz"], ["gzcut-images-idx3-ubyte.gz"]),
        fine("tiny CIFAR-10 batch", knnPixels + ["cifar10:@/cifar/fine"]),
        bad("CIFAR-10 batch of a wrong size", knnPixels + ["cifar10:@/cifar/oddsize"], ["test_batch.bin"]),
        bad("CIFAR-10 empty batch", knnPixels + ["cifar10:@/cifar/emptybatch"], ["test_batch.bin"]),
        bad("CIFAR-10 without class names", knnPixels + ["cifar10:@/cifar/nometa"], ["batches.meta.txt"]),
        bad("CIFAR-10 label beyond the names", knnPixels + ["cifar10:@/cifar/biglabel"], ["test_batch.bin", "biglabel"]),
        bad("CIFAR-100 batch of a wrong size", knnPixels + ["cifar100:@/cifar/c100odd"], ["test.bin"]),
        bad("CIFAR-100 unknown label column", knnPixels + ["cifar100:@/cifar/c100fine", "--column", "label_column=nope"], ["nope"]),
        bad("CIFAR-10 folder missing", knnPixels + ["cifar10:@/cifar/no-cifar-here"], ["no-cifar-here"]),
        bad("--column label_column= (empty)", knnPixels + ["@/man/crlf.csv", "--column", "label_column="], ["--column"]),
        bad("--column with an unknown key", knnPixels + ["@/man/crlf.csv", "--column", "colour=red"], ["--column"]),
    ]

    @Test(arguments: datasetCases) func datasets(_ c: HostileCase) throws { try exercise(c) }

    // MARK: Hugging Face datasets (parquet, Arrow, hub cache)

    /// A copy of an hf fixture in the case's folder, with `change` applied to its bytes.
    static func damaged(_ fixture: String, as name: String, _ change: @escaping @Sendable ([UInt8], URL) throws -> [UInt8]) -> @Sendable (HostileDirs) throws -> Void {
        { dirs in
            let source = TestPaths.fixture("hf/\(fixture)")
            let bytes = [UInt8](try Data(contentsOf: source))
            try Data(try change(bytes, source)).write(to: dirs.scratch.appendingPathComponent(name))
        }
    }

    /// The byte range of column `column` of row group 0 in a parquet fixture (as the footer says).
    static func chunk(_ source: URL, column: Int) throws -> Range<Int> {
        let meta = try #require(try ParquetFile(source).metadata.rowGroups[0].columns[column].metadata)
        let start = Int(meta.dictionaryPageOffset ?? meta.dataPageOffset)
        return start..<(start + Int(meta.totalCompressedSize))
    }

    static let huggingFaceCases: [HostileCase] = {
        let hub = ["HF_HUB_CACHE": TestPaths.fixture("hf/hub").path]
        let zeroed: @Sendable ([UInt8], Range<Int>) -> [UInt8] = { bytes, range in
            var b = bytes
            let middle = range.lowerBound + range.count / 2
            for i in middle..<min(middle + 24, range.upperBound) { b[i] = 0 }
            return b
        }
        var cases: [HostileCase] = [
            bad("parquet cut in half", knnPixels + ["@@/cut.parquet"], ["cut.parquet"],
                setup: damaged("codecs/snappy-v1.parquet", as: "cut.parquet") { b, _ in Array(b.prefix(b.count / 2)) }),
            bad("parquet without its last byte", knnPixels + ["@@/short.parquet"], ["short.parquet"],
                setup: damaged("codecs/none-v2.parquet", as: "short.parquet") { b, _ in Array(b.dropLast()) }),
            bad("parquet footer overwritten", knnPixels + ["@@/footer.parquet"], ["footer.parquet"], ["footer"],
                setup: damaged("codecs/zstd-v1.parquet", as: "footer.parquet") { b, _ in
                    var c = b
                    let length = Int(b[b.count - 8]) | Int(b[b.count - 7]) << 8
                    for i in (b.count - 8 - length)..<(b.count - 8) where i % 3 == 0 { c[i] = 0xFF }
                    return c
                }),
            bad("parquet declaring a 2 GB footer", knnPixels + ["@@/huge.parquet"], ["huge.parquet"],
                setup: damaged("codecs/gzip-v2.parquet", as: "huge.parquet") { b, _ in
                    var c = b
                    c.replaceSubrange((b.count - 8)..<(b.count - 4), with: [0xFF, 0xFF, 0xFF, 0x7F])
                    return c
                }),
            bad("parquet label pages zeroed", knnPixels + ["@@/labels.parquet"], ["labels.parquet"], ["label"],
                setup: damaged("codecs/gzip-v1.parquet", as: "labels.parquet") { b, source in zeroed(b, try chunk(source, column: 2)) }),
            // The image chunk's first page header zeroed: the row group cannot be read, which --on-bad-image skip
            // does not hide (a damaged PNG inside a page would be a bad image, and skippable).
            bad("parquet image page header zeroed, even with --on-bad-image skip", knnPixels + ["@@/images.parquet", "--on-bad-image", "skip"],
                ["images.parquet"], ["image.bytes"], noTable: true,
                setup: damaged("codecs/zstd-v2.parquet", as: "images.parquet") { b, source in
                    var c = b
                    let start = try chunk(source, column: 0).lowerBound
                    for i in start..<(start + 16) { c[i] = 0 }
                    return c
                }),
            bad("a PNG named .parquet", knnPixels + ["@@/photo.parquet"], ["photo.parquet"],
                setup: { dirs in
                    try FileManager.default.copyItem(at: TestPaths.fixture("images/files/mode_L.png"), to: dirs.scratch.appendingPathComponent("photo.parquet"))
                }),
            bad("Arrow file cut short", knnPixels + ["@@/cut.arrow"], ["cut.arrow"],
                setup: damaged("saved/validation/data-00000-of-00001.arrow", as: "cut.arrow") { b, _ in Array(b.prefix(b.count - 100)) }),
            bad("Arrow file of garbage", knnPixels + ["@@/noise.arrow"], ["noise.arrow"],
                setup: damaged("saved/validation/data-00000-of-00001.arrow", as: "noise.arrow") { b, _ in
                    var generator = SeededGenerator(seed: 3)
                    return [0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x01, 0x00, 0x00] + (0..<4096).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                }),
            bad("image cell with neither bytes nor path", knnPixels + ["%/hf/bad/no-image.parquet"], ["no-image.parquet"], ["row 1"],
                ["neither bytes nor a path"]),
            fine("image cell with neither bytes nor path, skipped",
                 ["embed", "-m", "pixels", "--image-size", "16", "--dataset", "%/hf/bad/no-image.parquet", "--on-bad-image", "skip", "--output", "@@/emb"],
                 warning: [["no-image.parquet"], ["row 1"]]),
            bad("ClassLabel -1 (no label)", knnPixels + ["%/hf/bad/no-label.parquet"], ["no-label.parquet"], ["row 2"], ["-1"]),
            bad("mixed label types across shards", knnPixels + ["%/hf/bad/mixed"], ["test-00001-of-00002.parquet"], ["mixed label types"]),
            bad("LZ4 codec", knnPixels + ["%/hf/bad/lz4.parquet"], ["lz4.parquet"], ["LZ4"]),
            bad("BROTLI codec", knnPixels + ["%/hf/bad/brotli.parquet"], ["brotli.parquet"], ["BROTLI"]),
            bad("two ClassLabel columns", knnPixels + ["%/hf/cifar-style/test.parquet"], ["label_column"]),
            bad("--column naming no column of the table", knnPixels + ["%/hf/codecs/plain.parquet", "--column", "input_column=img"],
                ["plain.parquet"], ["'img'"]),
            bad("missing split of parquet shards", knnPixels + ["%/hf/sharded", "--split", "validation"], ["validation"], ["test", "train"], noTable: true),
            bad("missing split of a save_to_disk folder", knnPixels + ["%/hf/saved", "--split", "train"], ["train"], noTable: true),
            bad("--train-split missing from parquet shards", knnPixels + ["%/hf/sharded", "--protocol", "train-test", "--train-split", "dev"], ["dev"], noTable: true),
            bad("glob matching no file", knnPixels + ["@/no-shard-*.parquet"], ["no-shard-*.parquet"]),
            bad("--revision of a local folder", knnPixels + ["%/hf/sharded", "--revision", "v1"], ["--revision"]),
            bad("--revision leaving the cache", knnPixels + ["acme/fmnist", "--revision", "../../x"], ["--revision"]),
        ]
        cases.append(HostileCase(name: "hub dataset not in the cache", arguments: knnPixels + ["acme/absent"],
                                 outcome: .error([["acme/absent"], ["datasets--acme--absent"], ["snapshot_download"]]), environment: hub))
        cases.append(HostileCase(name: "hub revision not in the cache", arguments: knnPixels + ["acme/fmnist", "--revision", "v9"],
                                 outcome: .error([["refs/v9"], ["revision='v9'"]]), environment: hub))
        cases.append(HostileCase(name: "hub dataset read from the cache", arguments: knnPixels + ["acme/fmnist"],
                                 outcome: .success(warning: nil), environment: hub))
        return cases
    }()

    @Test(arguments: huggingFaceCases) func huggingFaceDatasets(_ c: HostileCase) throws { try exercise(c) }

    // MARK: models and configs

    static let modelCases: [HostileCase] = {
        let images = ["--dataset", "%/models/images", "--k", "1"]
        func knn(_ model: String, _ extra: [String] = []) -> [String] { ["knn", "-m", model] + images + extra }
        var cases: [HostileCase] = [
            bad("nonexistent model file", knn("@/models/missing-model.onnx"), ["missing-model.onnx"]),
            bad("directory without model.onnx", knn("@/models/nomodel-dir"), ["nomodel-dir"]),
            bad("export directory missing model.onnx", knn("@/models/config-only"), ["config-only", "model.onnx"]),
            bad("random-bytes .onnx", knn("@/models/random.onnx"), ["random.onnx"]),
            bad("zero-byte .onnx", knn("@/models/empty.onnx"), ["empty.onnx"]),
            bad("truncated model.onnx", knn("@/models/halfonnx"), ["halfonnx", "model.onnx"]),
            bad("a JSON file as the model", knn("%/models/vit-tiny/config.json"), ["config.json"]),
        ]
        let fields: [String: [String]] = [
            "size0": ["size"], "sizeneg": ["size"], "sizehuge": ["size"], "sizeint0": ["size"], "edge0": ["size", "shortest_edge"],
            "sizetext": ["size"], "std0": ["image_std"], "stdscalar0": ["image_std"], "mean2": ["image_mean"],
            "unknowntype": ["image_processor_type", "FooBarImageProcessor"], "resample99": ["resample"], "rescale0": ["rescale_factor"],
        ]
        for (tag, _) in HostileWorld.configVariants {
            var keys: [[String]] = [["preprocessor_config.json"]]
            if let field = fields[tag] { keys.append(field) }
            // An unknown processor type with standard fields may be run with a warning naming it; silence is the failure.
            let outcome: HostileCase.Outcome = tag == "unknowntype" ? .errorOrWarning([fields[tag]!]) : .error(keys)
            cases.append(HostileCase(name: "preprocessor_config.json \(tag)", arguments: knn("@/models/cfg-\(tag)"), outcome: outcome,
                                     limit: tag == "sizehuge" ? 10 : 60))
        }
        let pixels = ["knn", "-m", "pixels"] + fmnist
        cases += [
            bad("--image-size 0", pixels + ["--image-size", "0"], ["--image-size"]),
            bad("--image-size=-3", pixels + ["--image-size=-3"], ["--image-size"]),
            bad("--image-size -3", pixels + ["--image-size", "-3"], ["--image-size"]),
            bad("--image-size 100000 with pixels", pixels + ["--image-size", "100000"], ["--image-size"], limit: 10),
            bad("--image-size 100000 with an ONNX model", knn(vit, ["--image-size", "100000"]), ["--image-size"], limit: 10),
            bad("--crop 0", knn(vit, ["--crop", "0"]), ["--crop"]),
            bad("--crop 100000", knn(vit, ["--crop", "100000"]), ["--crop"], limit: 10),
            bad("--resize 0", knn(vit, ["--resize", "0"]), ["--resize"]),
            bad("--mean 1,2", knn(vit, ["--mean", "1,2"]), ["--mean"]),
            bad("--mean a,b,c", knn(vit, ["--mean", "a,b,c"]), ["--mean"]),
            bad("--std 0,1,1", knn(vit, ["--std", "0,1,1"]), ["--std"]),
            bad("--std nan,1,1", knn(vit, ["--std", "nan,1,1"]), ["--std"]),
            bad("--std 1,1,inf", knn(vit, ["--std", "1,1,inf"]), ["--std"]),
            bad("--resample cubicx", knn(vit, ["--resample", "cubicx"]), ["--resample"]),
            bad("--threads 0", knn(vit, ["--threads", "0"]), ["--threads"]),
            bad("--threads=-2", knn(vit, ["--threads=-2"]), ["--threads"]),
            HostileCase(name: "--threads 100000", arguments: knn(vit, ["--threads", "100000"]), outcome: .errorOrWarning([["--threads"]]), limit: 30),
            bad("--batch-size 0", knn(vit, ["--batch-size", "0"]), ["--batch-size"]),
            bad("--batch-size=-1", knn(vit, ["--batch-size=-1"]), ["--batch-size"]),
            // 500 inputs of 512×512×3 held twice over take 3.1 GB, past half of the 6 GiB cap: trapped on a failed
            // 3 GB allocation before; refused at the first image, with a batch size that fits.
            bad("--batch-size past memory", ["embed", "-m", "pixels", "--image-size", "512", "--batch-size", "10000", "--dataset", "fashion-mnist",
                                             "--samples", "500", "--output", "@@/big"], ["--batch-size 500"], ["or less"], limit: 60,
                check: { dirs, _, findings in
                    findings.expect(!FileManager.default.fileExists(atPath: dirs.scratch.appendingPathComponent("big").path), "an output was written")
                }),
            // Layer indices far out of range are refused by their flag, not trapped on |Int.min|.
            bad("--pooling cls@Int.min", knn(vit, ["--pooling", "cls@-9223372036854775808"]), ["--pooling"]),
            bad("--layers=Int.min", knn(vit, ["--layers=-9223372036854775808"]), ["--layers"]),
            bad("--pooling cls@Int.min, pixels", knnPixels + [img("trunc-half.jpg"), "--pooling", "cls@-9223372036854775808"], ["--pooling"]),
            bad("embed --feature-maps=Int.min", ["embed", "-m", vit, "--dataset", img("trunc-half.jpg"), "--feature-maps=-9223372036854775808",
                                                 "--output", "@@/fm"], ["--feature-maps"]),
            bad("--pooling max|", knn(vit, ["--pooling", "max|"]), ["--pooling"]),
            bad("--pooling empty", knn(vit, ["--pooling", ""]), ["--pooling"]),
            HostileCase(name: "--pooling cls,,mean", arguments: knn(vit, ["--pooling", "cls,,mean"]), outcome: .errorOrSuccess([["--pooling"]])),
            bad("--pooling output:nosuch", knn(vit, ["--pooling", "output:nosuch"]), ["nosuch"]),
            bad("-m image-encoder= for knn", knn("image-encoder=%/twotower/clip/image-encoder"), ["-m", "image-encoder"]),
            bad("two -m for knn", ["knn", "-m", "pixels", "-m", "pixels"] + images, ["-m"]),
            bad("zeroshot without a text encoder", ["zeroshot", "-m", "image-encoder=%/twotower/clip/image-encoder", "--dataset", "%/twotower/images"],
                ["text-encoder"]),
            bad("zeroshot with an image-only model", ["zeroshot", "-m", vit, "--dataset", "%/twotower/images"], ["text-encoder", "vit-tiny"]),
            bad("zeroshot with a missing image encoder", ["zeroshot", "-m", "image-encoder=@/models/missing-tower.onnx",
                                                          "-m", "text-encoder=%/twotower/clip/text-encoder", "--dataset", "%/twotower/images"],
                ["missing-tower.onnx"]),
        ]
        return cases
    }()

    @Test(arguments: modelCases) func models(_ c: HostileCase) throws { try exercise(c) }

    // MARK: embeddings

    static let embeddingCases: [HostileCase] = {
        func knn(_ e: String, _ l: String = "l.npy") -> [String] { ["knn", "--embeddings", "@/npy/\(e)", "--labels", "@/npy/\(l)", "--k", "3"] }
        var cases = [HostileCase]()
        for file in ["badmagic.npy", "truncheader.npy", "headerlen.npy", "hugeheader.npy", "emptyfile.npy", "negdim.npy", "overflow.npy",
                     "overflow2.npy", "fortran.npy", "bigendian.npy", "object.npy", "complex.npy", "unicode.npy", "threed.npy",
                     "scalar.npy", "shortdata.npy", "noshape.npy", "wordshape.npy", "sizeless.npy", "a-directory.npy"] {
            cases.append(bad("embeddings \(file)", knn(file), [file], noTable: true, limit: 20))
        }
        cases += [
            bad("N×0 embeddings", knn("dzero.npy"), ["dzero.npy", "--embeddings"], noTable: true),
            bad("0×d embeddings", knn("nzero.npy", "nzero-labels.npy"), ["nzero.npy", "--embeddings"], noTable: true),
            bad("a row with NaN", knn("nanrow.npy"), ["nanrow.npy", "--embeddings"], noTable: true),
            bad("a row with -Inf", knn("infrow.npy"), ["infrow.npy", "--embeddings"], noTable: true),
            HostileCase(name: "all-zero rows", arguments: knn("zerorows.npy"), outcome: .noSilentNaN),
            bad("a single row", knn("one.npy", "one-labels.npy"), ["one.npy", "one-labels.npy", "--embeddings"], noTable: true),
            HostileCase(name: "labels of 10^12", arguments: knn("e.npy", "huge-labels.npy"), outcome: .errorOrSuccess([["huge-labels.npy"]]), limit: 20),
            HostileCase(name: "labels of 2^64-1", arguments: knn("e.npy", "u8max-labels.npy"), outcome: .errorOrSuccess([["u8max-labels.npy"]]), limit: 20),
            bad("negative labels", knn("e.npy", "neg-labels.npy"), ["neg-labels.npy"]),
            bad("fewer labels than rows", knn("e.npy", "short-labels.npy"), ["short-labels.npy"]),
            bad("fractional float labels", knn("e.npy", "float-labels.npy"), ["float-labels.npy"]),
            bad("2-D labels", knn("e.npy", "labels2d.npy"), ["labels2d.npy"]),
            bad("labels with a wrong magic", knn("e.npy", "badmagic-labels.npy"), ["badmagic-labels.npy"]),
            bad("labels file missing", knn("e.npy", "missing-labels.npy"), ["missing-labels.npy"]),
            bad("embeddings file missing", knn("missing-embeddings.npy"), ["missing-embeddings.npy"]),
            fine("float16 embeddings", knn("f16.npy")),
            fine("version 2.0 header", knn("v2.npy")),
            fine("int32 labels", knn("e.npy", "i4-labels.npy")),
            fine("labels as one column", knn("e.npy", "column-labels.npy")),
            // Labels under which the figures say nothing of the embeddings: warned, or refused where nothing is left.
            fine("every sample alone in its class", knn("e.npy", "unique-labels.npy"), warning: [["60 of 60"], ["alone in their class"]]),
            fine("every sample of one class", knn("e.npy", "one-class-labels.npy"), warning: [["one class"], ["whatever the embeddings"]]),
            fine("retrieval of one class", ["retrieval", "--embeddings", "@/npy/e.npy", "--labels", "@/npy/one-class-labels.npy"],
                 warning: [["share one class"], ["100% by construction"]]),
            bad("retrieval with every image alone in its class", ["retrieval", "--embeddings", "@/npy/e.npy", "--labels",
                                                                  "@/npy/unique-labels.npy"], ["alone in its class"]),
            // Counts of repeats bounded up front, not allocated (or run) as asked.
            bad("--tries 10^12", knn("e.npy") + ["--protocol", "train-test", "--train-embeddings", "@/npy/e.npy", "--train-labels",
                                                 "@/npy/l.npy", "--shots", "1", "--tries", "1000000000000"], ["--tries"], limit: 10),
            bad("linear --tries 10^12", ["linear", "--embeddings", "@/npy/e.npy", "--labels", "@/npy/l.npy", "--train-embeddings",
                                         "@/npy/e.npy", "--train-labels", "@/npy/l.npy", "--shots", "1", "--tries", "1000000000000"],
                ["--tries"], limit: 10),
            // Fewer than two samples a cluster: NMI reads high whatever the embeddings, so the run says so.
            fine("cluster --clusters N on N samples", ["cluster", "--embeddings", "@/npy/e.npy", "--labels", "@/npy/l.npy", "--clusters", "60"],
                 warning: [["--clusters 60 for 60 samples"], ["read high"]]),
            fine("cluster --clusters 31 on 60 samples", ["cluster", "--embeddings", "@/npy/e.npy", "--labels", "@/npy/l.npy", "--clusters", "31"],
                 warning: [["--clusters 31 for 60 samples"]]),
            bad("cluster --n-init 10^8", ["cluster", "--embeddings", "@/npy/e.npy", "--labels", "@/npy/l.npy", "--n-init", "100000000"],
                ["--n-init"], limit: 10),
            bad("train embeddings of another width", knn("e.npy") + ["--protocol", "train-test", "--train-embeddings", "@/npy/train6.npy",
                                                                       "--train-labels", "@/npy/train-labels.npy"], ["train6.npy", "--train-embeddings"], noTable: true),
            bad("N×0 train embeddings", knn("e.npy") + ["--protocol", "train-test", "--train-embeddings", "@/npy/traind0.npy",
                                                          "--train-labels", "@/npy/train-labels.npy"], ["traind0.npy", "--train-embeddings"], noTable: true),
            // Subsets of saved rows were ignored silently (`--train-samples 0` ran on every train row, exit 0).
            bad("--samples with --embeddings", knn("e.npy") + ["--samples", "10"], ["--samples"], ["used whole"]),
            bad("--samples with --embeddings and --dataset", knn("e.npy") + ["--dataset", "fashion-mnist", "--samples", "10"], ["--samples"], ["used whole"]),
            bad("audit --samples with --embeddings", ["audit", "--embeddings", "@/npy/e.npy", "--labels", "@/npy/l.npy", "--samples", "5"],
                ["--samples"], ["used whole"]),
            bad("explore --samples with --embeddings", ["explore", "--embeddings", "@/npy/e.npy", "--samples", "5", "--out", "@@/map"],
                ["--samples"], ["used whole"]),
            bad("--train-samples 0 with --train-embeddings", ["linear", "--embeddings", "@/npy/e.npy", "--labels", "@/npy/l.npy",
                                                               "--train-embeddings", "@/npy/e.npy", "--train-labels", "@/npy/l.npy",
                                                               "--train-samples", "0"], ["--train-samples"], ["every saved row"]),
        ]
        return cases
    }()

    @Test(arguments: embeddingCases) func embeddings(_ c: HostileCase) throws { try exercise(c) }

    // MARK: text

    static let textCases: [HostileCase] = {
        func tok(_ dir: String) -> [String] { zeroshot + ["--tokenizer", "@/tok/\(dir)"] }
        var cases = [HostileCase]()
        for dir in ["tok-notjson", "tok-emptyfile", "tok-nomodel", "tok-unknowntype", "tok-badmerges", "tok-vocablist", "tok-emptydir", "tok-badspiece"] {
            cases.append(bad("tokenizer \(dir)", tok(dir), [dir]))
        }
        let clip = "%/twotower/clip/text-encoder", siglip = "%/twotower/siglip/text-encoder"
        func tokenize(_ tokenizer: String, _ text: String) -> [String] { ["tokenize", "--tokenizer", tokenizer, text] }
        let oneLineOfIDs: @Sendable (HostileDirs, HostileRun, Findings) throws -> Void = { _, r, f in
            let out = r.out.trimmingCharacters(in: .whitespacesAndNewlines)
            f.expect(out.hasPrefix("[") && out.hasSuffix("]") && !out.contains("\n"), "expected one line of ids: \(out.prefix(200))")
        }
        let longWord = String(repeating: "abcdefghij", count: 12_000)
        cases += [
            bad("tokenizer path missing", tok("no-tokenizer-here"), ["no-tokenizer-here"]),
            bad("empty templates file", zeroshot + ["--templates", "@/txt/empty-templates.txt"], ["empty-templates.txt"]),
            bad("template file line without {}", zeroshot + ["--templates", "@/txt/noslot-templates.txt"], ["noslot-templates.txt"]),
            bad("templates file in Latin-1", zeroshot + ["--templates", "@/txt/nonutf8-templates.txt"], ["nonutf8-templates.txt"]),
            bad("templates file missing", zeroshot + ["--templates", "@/txt/missing-templates.txt"], ["missing-templates.txt"]),
            bad("--template without {}", zeroshot + ["--template", "a photo"], ["--template", "a photo"]),
            bad("--template empty", zeroshot + ["--template", ""], ["--template", "template"]),
            bad("class names with invalid UTF-8", zeroshot + ["--classnames", "@/txt/nonutf8-classes.txt"], ["nonutf8-classes.txt"]),
            bad("duplicate class names", zeroshot + ["--classnames", "@/txt/dup-classes.txt"], ["dup-classes.txt"]),
            // A 512 KB name repeated was echoed whole: a 1 MB error line. Long lines keep their start and end.
            bad("duplicate 512 KB class names", zeroshot + ["--classnames", "@/txt/dup-long-classes.txt"], ["dup-long-classes.txt"],
                ["characters left out"], ["(classes 1 and 3)"],
                check: { _, r, f in f.expect(r.err.count < 4_200, "an error line of \(r.err.count) characters") }),
            bad("empty class names file", zeroshot + ["--classnames", "@/txt/empty-classes.txt"], ["empty-classes.txt"]),
            bad("blank class names file", zeroshot + ["--classnames", "@/txt/blank-classes.txt"], ["blank-classes.txt"]),
            bad("fewer class names than classes", zeroshot + ["--classnames", "@/txt/few-classes.txt"], ["few-classes.txt"]),
            bad("class names file missing", zeroshot + ["--classnames", "@/txt/missing-classes.txt"], ["missing-classes.txt"]),
            fine("tokenize a 120,000-character word (CLIP)", tokenize(clip, longWord), limit: 5, check: oneLineOfIDs),
            fine("tokenize a 120,000-character word (SigLIP)", tokenize(siglip, longWord), limit: 5, check: oneLineOfIDs),
            fine("tokenize 30,000 emoji (CLIP)", tokenize(clip, String(repeating: "😀", count: 30_000)), limit: 5, check: oneLineOfIDs),
            fine("tokenize 40,000 combining accents (CLIP)", tokenize(clip, "e" + String(repeating: "\u{301}", count: 40_000)), limit: 5, check: oneLineOfIDs),
            fine("tokenize 40,000 combining accents (SigLIP)", tokenize(siglip, "e" + String(repeating: "\u{301}", count: 40_000)), limit: 5, check: oneLineOfIDs),
            fine("tokenize 100,000 spaces (CLIP)", tokenize(clip, String(repeating: " ", count: 100_000)), limit: 5, check: oneLineOfIDs),
            fine("tokenize emoji ZWJ sequences (CLIP)", tokenize(clip, "a 👩‍👩‍👧‍👦 and a 🏳️‍🌈 flag"), check: oneLineOfIDs),
            fine("tokenize emoji ZWJ sequences (SigLIP)", tokenize(siglip, "a 👩‍👩‍👧‍👦 and a 🏳️‍🌈 flag"), check: oneLineOfIDs),
            fine("tokenize CJK (CLIP)", tokenize(clip, "東京タワーの写真 사진"), check: oneLineOfIDs),
            fine("tokenize CJK (SigLIP)", tokenize(siglip, "東京タワーの写真 사진"), check: oneLineOfIDs),
            fine("tokenize zero-width characters (CLIP)", tokenize(clip, "a\u{200B}b\u{200C}c\u{200D}d\u{2060}e\u{FEFF}f"), check: oneLineOfIDs),
            fine("tokenize zero-width characters (SigLIP)", tokenize(siglip, "a\u{200B}b\u{200C}c\u{200D}d\u{2060}e\u{FEFF}f"), check: oneLineOfIDs),
            fine("tokenize right-to-left and controls (CLIP)", tokenize(clip, "\u{202E}مرحبا\u{202C} \u{0007}\u{001B}[31m"), check: oneLineOfIDs),
            fine("tokenize an empty text (CLIP)", tokenize(clip, ""), check: oneLineOfIDs),
            bad("tokenize --max-length 1", ["tokenize", "--tokenizer", clip, "--max-length", "1", "a cat"], ["--max-length"]),
            bad("tokenize --max-length=-4", ["tokenize", "--tokenizer", clip, "--max-length=-4", "a cat"], ["--max-length"]),
            bad("tokenize --max-length 10^9 (SigLIP pads to it)", ["tokenize", "--tokenizer", siglip, "--max-length", "1000000000", "a cat"],
                ["--max-length"], limit: 10),
            bad("tokenize with a broken tokenizer.json", tokenize("@/tok/tok-notjson", "a cat"), ["tok-notjson"]),
            bad("tokenize with a garbage spiece.model", tokenize("@/tok/tok-badspiece/spiece.model", "a cat"), ["spiece.model", "tok-badspiece"]),
        ]
        return cases
    }()

    @Test(arguments: textCases) func text(_ c: HostileCase) throws { try exercise(c) }

    // MARK: compare and check

    static let compareCheckCases: [HostileCase] = {
        let candidate = compare + ["--candidate-embeddings", "@/cmp/b.npy"]
        func check(_ file: String, _ keys: [String]..., noTable: Bool = true) -> HostileCase {
            HostileCase(name: "check \(file)", arguments: ["check", "@/check/\(file)", "--bootstrap", "200"],
                        outcome: .error([[file]] + keys), noTable: noTable)
        }
        return [
            bad("--tolerance 0", candidate + ["--tolerance", "0"], ["--tolerance"]),
            bad("--tolerance=-1", candidate + ["--tolerance=-1"], ["--tolerance"]),
            bad("--tolerance nan", candidate + ["--tolerance", "nan"], ["--tolerance"]),
            bad("--tolerance inf", candidate + ["--tolerance", "inf"], ["--tolerance"]),
            bad("--tolerance 1.5e308 --html", candidate + ["--tolerance", "1.5e308", "--html", "@@/compare.html"], ["--tolerance", "at most 100"]),
            bad("--bootstrap 10", candidate + ["--bootstrap", "10"], ["--bootstrap"]),
            bad("--bootstrap 0", candidate + ["--bootstrap", "0"], ["--bootstrap"]),
            bad("--bootstrap 10^11", candidate + ["--bootstrap", "100000000000"], ["--bootstrap"], limit: 10),
            bad("--bootstrap Int.max", candidate + ["--bootstrap", "9223372036854775807"], ["--bootstrap"], limit: 10),
            bad("--overlap-k 0", candidate + ["--overlap-k", "0"], ["--overlap-k"]),
            HostileCase(name: "--overlap-k beyond the samples", arguments: candidate + ["--overlap-k", "100000"],
                        outcome: .errorOrWarning([["--overlap-k"]]), limit: 30),
            bad("--k 0 in compare", candidate + ["--k", "0"], ["--k"]),
            bad("--temperature nan in compare", candidate + ["--temperature", "nan"], ["--temperature"]),
            bad("sides of different row counts", compare + ["--candidate-embeddings", "@/cmp/short.npy"], ["short.npy", "--candidate-embeddings", "candidate"], noTable: true),
            bad("sides with different ids", ["compare", "--baseline-embeddings", "@/cmp/base-run/embeddings.npy",
                                            "--candidate-embeddings", "@/cmp/cand-run/embeddings.npy", "--labels", "@/cmp/l.npy",
                                            "--bootstrap", "200"],
                ["ids.txt", "base-run", "cand-run", "img_", "other_"], noTable: true),
            bad("candidate with a NaN row", compare + ["--candidate-embeddings", "@/cmp/cand-nan.npy"], ["cand-nan.npy", "--candidate-embeddings", "candidate"], noTable: true),
            bad("candidate N×0", compare + ["--candidate-embeddings", "@/cmp/cand-d0.npy"], ["cand-d0.npy", "--candidate-embeddings", "candidate"], noTable: true),
            bad("agreement with an N×0 candidate", ["compare", "--task", "agreement", "--baseline-embeddings", "@/cmp/a.npy",
                                                    "--candidate-embeddings", "@/cmp/cand-d0.npy"], ["cand-d0.npy", "--candidate-embeddings", "candidate"], noTable: true),
            bad("agreement with different row counts", ["compare", "--task", "agreement", "--baseline-embeddings", "@/cmp/a.npy",
                                                        "--candidate-embeddings", "@/cmp/short.npy"], ["short.npy", "--candidate-embeddings", "candidate"], noTable: true),
            HostileCase(name: "agreement between widths 8 and 6", arguments: ["compare", "--task", "agreement", "--baseline-embeddings", "@/cmp/a.npy",
                                                                              "--candidate-embeddings", "@/cmp/width6.npy"],
                        outcome: .errorOrSuccess([["width6.npy"]]),
                        check: { _, r, f in f.expect(!r.out.lowercased().contains("nan"), "NaN printed: \(r.out.prefix(400))") }),
            bad("labels fewer than rows", ["compare", "--baseline-embeddings", "@/cmp/a.npy", "--candidate-embeddings", "@/cmp/b.npy",
                                           "--labels", "@/cmp/short-labels.npy"], ["short-labels.npy"], noTable: true),
            bad("negative labels in compare", ["compare", "--baseline-embeddings", "@/cmp/a.npy", "--candidate-embeddings", "@/cmp/b.npy",
                                               "--labels", "@/cmp/neg-labels.npy"], ["neg-labels.npy"], noTable: true),
            bad("labels file missing in compare", ["compare", "--baseline-embeddings", "@/cmp/a.npy", "--candidate-embeddings", "@/cmp/b.npy",
                                                   "--labels", "@/cmp/gone-labels.npy"], ["gone-labels.npy"]),
            bad("--task zero-shot with embeddings", candidate + ["--task", "zero-shot"], ["--task", "zero-shot"]),
            bad("baseline given twice", candidate + ["--baseline", "pixels"], ["--baseline"]),
            check("malformed.json", ["line", "position", "offset", "character", "column", "byte"]),
            check("empty-list.json"), check("entries-empty.json"), check("zero-bytes.json"), check("object-only.json"),
            check("number-entry.json"),
            check("task.json", ["task"]), check("metric.json", ["metric"]), check("protocol.json", ["protocol"]),
            check("weighting.json", ["weighting"]), check("tolerence.json", ["tolerence"]),
            check("kzero.json", ["'k'", "\"k\"", "k=", "--k", "k must"]), check("samples.json", ["samples"]),
            check("tolerance0.json", ["tolerance"]), check("toleranceneg.json", ["tolerance"]), check("expectedtext.json", ["expected"]),
            check("nodataset.json", ["dataset"]), check("nomodel.json", ["model"]), check("missingmodel.json", ["no-such-model.onnx"]),
            check("missingdataset.json", ["no-such-dataset"]), check("hugeexpected.json", ["expected"]),
            check("impossible.json", ["expected"], ["within 0…100"]), check("beyond100.json", ["expected"], ["within 0…100"]),
            check("unusedfield.json", ["'C'"], ["task knn does not take it"]),
            HostileCase(name: "check hugetolerance.json --html", arguments: ["check", "@/check/hugetolerance.json", "--bootstrap", "200", "--html", "@@/check.html"],
                        outcome: .error([["hugetolerance.json"], ["tolerance"], ["at most 100"]]), noTable: true),
            check("recallknn.json", ["metric", "mean_per_class_recall"]), check("badimage.json", ["on_bad_image"]),
            check("pooling.json", ["pooling", "max"]), check("mean.json", ["mean"]), check("imagesize.json", ["image_size", "image-size"]),
            check("columns.json", ["colour", "columns"]), check("splitcheck.json", ["validation"]),
            HostileCase(name: "check with a vanishing temperature", arguments: ["check", "@/check/tinytemp.json", "--bootstrap", "200"],
                        outcome: .noSilentNaN),
            HostileCase(name: "check repeating one warning per entry", arguments: ["check", "@/check/blackthrice.json", "--bootstrap", "200"],
                        outcome: .noSilentNaN, check: { _, r, f in
                            let warnings = r.err.split(separator: "\n").filter { $0.hasPrefix("warning: ") }
                            f.expect(!warnings.isEmpty && Set(warnings).count == warnings.count, "warnings repeated: \(warnings)")
                        }),
            HostileCase(name: "check on all-black images (zero vectors)", arguments: ["check", "@/check/blackimages.json", "--bootstrap", "200"],
                        outcome: .noSilentNaN),
            bad("check --bootstrap 10", ["check", "@/check/task.json", "--bootstrap", "10"], ["--bootstrap"]),
            bad("check --bootstrap Int.max", ["check", "@/check/task.json", "--bootstrap", "9223372036854775807"], ["--bootstrap"], limit: 10),
            bad("check file missing", ["check", "@/check/missing-expect.json"], ["missing-expect.json"]),
        ]
    }()

    @Test(arguments: compareCheckCases) func compareAndCheck(_ c: HostileCase) throws { try exercise(c) }

    // MARK: explore

    static let exploreCases: [HostileCase] = {
        func on(_ e: String, _ method: String, _ extra: [String] = []) -> [String] {
            ["explore", "--embeddings", "@/ex/\(e)", "--method", method, "--no-thumbnails", "--out", "@@/maps"] + extra
        }
        func onMap(_ map: String, add: String) -> [String] { ["explore", "--map", map, "--add", "@/ex/\(add)", "--out", "@@/added"] }
        let needsMaps: @Sendable (HostileDirs) throws -> Void = { _ in _ = try HostileWorld.maps.get() }
        let finiteMaps: @Sendable (HostileDirs, HostileRun, Findings) throws -> Void = { dirs, r, f in
            guard r.code == 0 else { return }
            for method in ["pca", "tsne", "umap"] {
                let file = dirs.scratch.appendingPathComponent("maps/\(method).npy")
                guard FileManager.default.fileExists(atPath: file.path) else { continue }
                let m = try NumpyArray.readMatrix(at: file)
                let finite = m.values.allSatisfy { $0.isFinite }
                f.expect(finite, "\(method).npy holds NaN/Inf coordinates")
            }
        }
        return [
            bad("--perplexity nan", explore + ["--method", "tsne", "--perplexity", "nan"], ["--perplexity"]),
            bad("--perplexity inf", explore + ["--method", "tsne", "--perplexity", "inf"], ["--perplexity"]),
            bad("--perplexity 0", explore + ["--method", "tsne", "--perplexity", "0"], ["--perplexity"]),
            bad("--perplexity=-1", explore + ["--method", "tsne", "--perplexity=-1"], ["--perplexity"]),
            // Below 1 no distribution reaches the entropy log(perplexity) < 0; below 1/3, 3·perplexity rounds to no
            // neighbours at all and the map was repulsion only, exit 0.
            bad("--perplexity 0.3", explore + ["--method", "tsne", "--perplexity", "0.3"], ["--perplexity", "≥ 1"]),
            bad("--perplexity beyond the points", explore + ["--method", "tsne", "--perplexity", "100000"], ["perplexity"]),
            bad("--dims 4", explore + ["--dims", "4"], ["--dims"]),
            bad("--dims 1", explore + ["--dims", "1"], ["--dims"]),
            bad("--pca-dims 1", explore + ["--pca-dims", "1"], ["--pca-dims"]),
            bad("--method foo", explore + ["--method", "foo"], ["--method", "foo"]),
            bad("--method empty", explore + ["--method", ""], ["--method"]),
            HostileCase(name: "--method pca,,umap", arguments: explore + ["--method", "pca,,umap"], outcome: .errorOrSuccess([["--method"]])),
            bad("--neighbors 1", explore + ["--method", "umap", "--neighbors", "1"], ["--neighbors"]),
            bad("--neighbors Int.max", explore + ["--method", "umap", "--neighbors", "9223372036854775807"], ["--neighbors"]),
            bad("--perplexity 1e19", explore + ["--method", "tsne", "--perplexity", "1e19"], ["perplexity"]),
            bad("--min-dist nan", explore + ["--method", "umap", "--min-dist", "nan"], ["--min-dist"]),
            // The PCA pre-step (--pca-dims 50) is t-SNE's and UMAP's: a PCA map of 20 points × 64 needs none.
            fine("PCA map of fewer points than --pca-dims", on("twenty-wide.npy", "pca")),
            bad("t-SNE of 5 points", on("five.npy", "tsne"), ["five.npy", "points"]),
            bad("UMAP of 5 points", on("five.npy", "umap"), ["five.npy", "points"]),
            bad("PCA of 1 point", on("single.npy", "pca"), ["single.npy", "point"]),
            // A PCA of 2-D rows has 2 components: `--dims 3` wrote a (N, 2) map reported as 3-D, which its own --add refused.
            bad("PCA --dims 3 of d=2 embeddings", on("d2.npy", "pca", ["--dims", "3"]), ["--dims", "got 3", "the embeddings' 2 dimensions"]),
            fine("t-SNE --dims 3 of d=2 embeddings", on("d2.npy", "tsne", ["--dims", "3"])),
            HostileCase(name: "PCA of d=1 embeddings", arguments: on("d1.npy", "pca"), outcome: .errorOrSuccess([["d1.npy", "dimension", "--dims"]]), check: finiteMaps),
            HostileCase(name: "t-SNE of d=1 embeddings", arguments: on("d1.npy", "tsne"), outcome: .errorOrSuccess([["d1.npy", "dimension", "--dims"]]), check: finiteMaps),
            HostileCase(name: "UMAP of d=1 embeddings", arguments: on("d1.npy", "umap"), outcome: .errorOrSuccess([["d1.npy", "dimension", "--dims"]]), check: finiteMaps),
            bad("maps of N×0 embeddings", on("d0.npy", "pca"), ["d0.npy", "--embeddings"], noTable: true),
            bad("maps of NaN rows", on("nanrows.npy", "pca"), ["nanrows.npy", "--embeddings"]),
            bad("labels fewer than points", ["explore", "--embeddings", "@/ex/e.npy", "--labels", "@/ex/short-labels.npy", "--method", "pca", "--out", "@@/maps"],
                ["short-labels.npy"]),
            HostileCase(name: "t-SNE of identical points", arguments: on("identical.npy", "tsne"), outcome: .errorOrSuccess([["identical.npy", "identical", "distinct"]]),
                        check: finiteMaps),
            HostileCase(name: "UMAP of identical points", arguments: on("identical.npy", "umap"), outcome: .errorOrSuccess([["identical.npy", "identical", "distinct"]]),
                        check: finiteMaps),
            bad("--map of random bytes", onMap("@/ex/garbage.map", add: "five.npy"), ["garbage.map"]),
            bad("--map zero bytes", onMap("@/ex/empty.map", add: "five.npy"), ["empty.map"]),
            bad("--map missing", onMap("@/ex/gone.map", add: "five.npy"), ["gone.map"]),
            bad("--map cut in half", onMap("@@/half.map", add: "five.npy"), ["half.map"], setup: { dirs in
                let maps = try HostileWorld.maps.get()
                let data = try Data(contentsOf: maps.appendingPathComponent("umap.map"))
                try data.prefix(data.count / 2).write(to: dirs.scratch.appendingPathComponent("half.map"))
            }),
            bad("--add with a NaN row", onMap("@/ex/maps/umap.map", add: "add-nan.npy"), ["add-nan.npy", "--add"], setup: needsMaps),
            bad("--add of another width", onMap("@/ex/maps/umap.map", add: "wide.npy"), ["wide.npy", "--add"], setup: needsMaps),
            bad("--add N×0", onMap("@/ex/maps/umap.map", add: "add-d0.npy"), ["add-d0.npy", "--add"], setup: needsMaps),
            bad("--add not a .npy", onMap("@/ex/maps/umap.map", add: "add-bad.npy"), ["add-bad.npy"], setup: needsMaps),
            bad("--add onto a PCA map of another width", onMap("@/ex/maps/pca.map", add: "wide.npy"), ["wide.npy", "--add"], setup: needsMaps),
            bad("--map without --add", ["explore", "--map", "@/ex/garbage.map", "--out", "@@/added"], ["--add"]),
            bad("--out onto a regular file", ["explore", "--embeddings", "@/ex/e.npy", "--method", "pca", "--out", "@/out/a-file.txt"],
                ["a-file.txt"], check: unchanged("out/a-file.txt", "plain file\n")),
        ]
    }()

    @Test(arguments: exploreCases) func explore(_ c: HostileCase) throws { try exercise(c) }

    // MARK: outputs

    static let outputCases: [HostileCase] = {
        let fifoResult = "fifo-read.bin"
        let fifoSetup: @Sendable (HostileDirs) throws -> Void = { dirs in
            let fifo = dirs.scratch.appendingPathComponent("results.json").path
            guard mkfifo(fifo, 0o644) == 0 else { throw POSIXError(.EEXIST) }
            let result = dirs.scratch.appendingPathComponent(fifoResult)
            Thread.detachNewThread {
                let fd = open(fifo, O_RDONLY)
                guard fd >= 0 else { return }
                var data = Data()
                var buffer = [UInt8](repeating: 0, count: 65536)
                let capacity = buffer.count
                while true {
                    let n = read(fd, &buffer, capacity)
                    if n <= 0 { break }
                    data.append(contentsOf: buffer[0..<n])
                }
                close(fd)
                try? data.write(to: result.appendingPathExtension("tmp"))
                rename(result.appendingPathExtension("tmp").path, result.path)
            }
        }
        let fifoCheck: @Sendable (HostileDirs, HostileRun, Findings) throws -> Void = { dirs, _, f in
            let fifo = dirs.scratch.appendingPathComponent("results.json").path
            let result = dirs.scratch.appendingPathComponent(fifoResult).path
            let deadline = Date().addingTimeInterval(10)
            while !FileManager.default.fileExists(atPath: result) && Date() < deadline { usleep(50_000) }
            if !FileManager.default.fileExists(atPath: result) {
                // Nothing was written: unblock the reader so that the thread ends.
                let fd = open(fifo, O_WRONLY | O_NONBLOCK)
                if fd >= 0 { close(fd) }
                Issue.record("the FIFO's reader got no end of file")
            }
            let text = (try? String(contentsOfFile: result, encoding: .utf8)) ?? ""
            f.expect(jsonObject(text), "the FIFO's reader did not get the JSON: \(text.prefix(200))")
            f.expect(fileType(fifo) == S_IFIFO, "the FIFO was replaced")
        }
        let linkSetup: @Sendable (HostileDirs) throws -> Void = { dirs in
            try FileManager.default.createDirectory(at: dirs.scratch.appendingPathComponent("real"), withIntermediateDirectories: true)
            try "OLD".write(to: dirs.scratch.appendingPathComponent("real/target.json"), atomically: true, encoding: .utf8)
            try FileManager.default.createSymbolicLink(atPath: dirs.scratch.appendingPathComponent("link.json").path, withDestinationPath: "real/target.json")
        }
        let linkCheck: @Sendable (HostileDirs, HostileRun, Findings) throws -> Void = { dirs, _, f in
            f.expect(fileType(dirs.scratch.appendingPathComponent("link.json").path) == S_IFLNK, "the link is no longer a symlink")
            let target = (try? String(contentsOf: dirs.scratch.appendingPathComponent("real/target.json"), encoding: .utf8)) ?? ""
            f.expect(jsonObject(target), "the link's target did not get the JSON: \(target.prefix(100))")
        }
        let danglingSetup: @Sendable (HostileDirs) throws -> Void = { dirs in
            try FileManager.default.createDirectory(at: dirs.scratch.appendingPathComponent("real"), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: dirs.scratch.appendingPathComponent("link.json").path, withDestinationPath: "real/target.json")
        }
        let stdoutJSON: @Sendable (HostileDirs, HostileRun, Findings) throws -> Void = { _, r, f in
            f.expect(jsonObject(r.out), "stdout is not one JSON object: \(r.out.prefix(200))")
        }
        let loopSetup: @Sendable (HostileDirs) throws -> Void = { dirs in
            try FileManager.default.createSymbolicLink(atPath: dirs.scratch.appendingPathComponent("loop.json").path, withDestinationPath: "loop.json")
        }
        let dirLinkSetup: @Sendable (HostileDirs) throws -> Void = { dirs in
            try FileManager.default.createDirectory(at: dirs.scratch.appendingPathComponent("realdir"), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: dirs.scratch.appendingPathComponent("outlink").path, withDestinationPath: "realdir")
        }
        let dirLinkCheck: @Sendable (HostileDirs, HostileRun, Findings) throws -> Void = { dirs, _, f in
            f.expect(fileType(dirs.scratch.appendingPathComponent("outlink").path) == S_IFLNK, "the output link is no longer a symlink")
            f.expect(FileManager.default.fileExists(atPath: dirs.scratch.appendingPathComponent("realdir/embeddings.npy").path),
                    "embeddings.npy did not land in the link's target")
        }
        let existingSetup: @Sendable (HostileDirs) throws -> Void = { dirs in
            try "OLD".write(to: dirs.scratch.appendingPathComponent("existing.json"), atomically: true, encoding: .utf8)
        }
        let existingCheck: @Sendable (HostileDirs, HostileRun, Findings) throws -> Void = { dirs, _, f in
            let text = (try? String(contentsOf: dirs.scratch.appendingPathComponent("existing.json"), encoding: .utf8)) ?? ""
            f.expect(jsonObject(text), "the existing file was not replaced by the JSON: \(text.prefix(100))")
        }
        let embedSmall = ["embed", "-m", "pixels", "--image-size", "16", "--dataset", "@/imgsets/sidecars", "--output"]
        let sameSides = ["compare", "--baseline-embeddings", "@/cmp/a.npy", "--candidate-embeddings", "@/cmp/a.npy", "--labels", "@/cmp/l.npy",
                         "--bootstrap", "200"]
        // A folder is replaced only when embeval wrote it as results of the same kind: a user's folder that happens to
        // hold a manifest.json, or an input set, is refused and left as it was.
        let userFolderSetup: @Sendable (HostileDirs) throws -> Void = { dirs in
            let folder = dirs.scratch.appendingPathComponent("userdir")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(#"{"name": "my web app"}"#.utf8).write(to: folder.appendingPathComponent("manifest.json"))
            try Data("precious".utf8).write(to: folder.appendingPathComponent("thesis.tex"))
        }
        let userFolderKept: @Sendable (HostileDirs, HostileRun, Findings) throws -> Void = { dirs, _, f in
            let kept = try? String(contentsOf: dirs.scratch.appendingPathComponent("userdir/thesis.tex"), encoding: .utf8)
            f.expect(kept == "precious", "the user's thesis.tex was deleted")
        }
        let inputSetSetup: @Sendable (HostileDirs) throws -> Void = { dirs in
            let (m, labels) = clusteredEmbeddings(rows: 40, columns: 6, classes: 4, seed: 5)
            try Embeddings(matrix: m, labels: labels, ids: (0..<m.rows).map { "s\($0)" }, classes: ["a", "b", "c", "d"])
                .write(to: dirs.scratch.appendingPathComponent("inputset"))
        }
        let inputSetKept: @Sendable (HostileDirs, HostileRun, Findings) throws -> Void = { dirs, _, f in
            let set = dirs.scratch.appendingPathComponent("inputset")
            f.expect(FileManager.default.fileExists(atPath: set.appendingPathComponent("embeddings.npy").path), "the input set's embeddings.npy was deleted")
            f.expect((try? SetManifest.verified(in: set))??.kind == "embeddings", "the input set's manifest was replaced")
        }
        // Names from the user's data reach the terminal, classes.txt/ids.txt and CSV lists: escape sequences must not
        // reach the terminal, and a line break must not shift every name after it.
        let escapes = "\u{1B}]0;PWNED\u{07}\u{1B}[2J\u{1B}[31mred"
        let escapeSetup: @Sendable (HostileDirs) throws -> Void = { dirs in
            let (m, labels) = clusteredEmbeddings(rows: 40, columns: 6, classes: 4, seed: 6)
            try Embeddings(matrix: m, labels: labels, ids: (0..<40).map { $0 == 0 ? "\u{1B}[8mhidden\u{1B}[0m" : "s\($0)" },
                           classes: [escapes, "b\u{202E}reversed", "c", "d"]).write(to: dirs.scratch.appendingPathComponent("esc"))
        }
        let noEscapes: @Sendable (HostileDirs, HostileRun, Findings) throws -> Void = { _, r, f in
            f.expect(!r.out.unicodeScalars.contains("\u{1B}") && !r.err.unicodeScalars.contains("\u{1B}"), "an escape sequence reached the terminal")
            f.expect(!r.out.unicodeScalars.contains("\u{202E}"), "a bidirectional override reached the terminal")
        }
        let lineBreakSetup: @Sendable (HostileDirs) throws -> Void = { dirs in
            for name in ["plain", "nl\nclass"] {
                let folder = dirs.scratch.appendingPathComponent("nlset/\(name)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for file in ["circle_000.png", "circle_001.png"] {
                    try FileManager.default.copyItem(at: TestPaths.fixture("twotower/images/circle/\(file)"), to: folder.appendingPathComponent(file))
                }
            }
        }
        return [
            bad("--json into a missing directory", knnNpy + ["--json", "@/no-such-out-dir/r.json"], ["no-such-out-dir"]),
            fine("terminal escapes in class names and ids (audit)", ["audit", "--embeddings", "@@/esc", "-k", "3"], setup: escapeSetup, check: noEscapes),
            fine("terminal escapes in class names and ids (knn)", ["knn", "--embeddings", "@@/esc", "--k", "3"], setup: escapeSetup, check: noEscapes),
            bad("embed of a class folder named with a line break", ["embed", "-m", "pixels", "--image-size", "8", "--dataset", "@@/nlset",
                                                                  "--output", "@@/nlout"], ["nlset"], ["line break"], setup: lineBreakSetup),
            bad("--plots into a user's folder holding a manifest.json", knnNpy + ["--plots", "@@/userdir"], ["userdir", "manifest.json"],
                setup: userFolderSetup, check: userFolderKept),
            bad("embed --output into a user's folder holding a manifest.json", embedSmall + ["@@/userdir"], ["userdir", "manifest.json"],
                setup: userFolderSetup, check: userFolderKept),
            bad("explore --out onto its input set", ["explore", "--embeddings", "@@/inputset", "--method", "pca", "--no-thumbnails",
                                                     "--out", "@@/inputset"], ["inputset", "embeddings"], setup: inputSetSetup, check: inputSetKept),
            bad("--plots onto an embeddings set", ["knn", "--embeddings", "@@/inputset", "--k", "3", "--plots", "@@/inputset"],
                ["inputset", "embeddings"], setup: inputSetSetup, check: inputSetKept),
            bad("--json onto a directory", knnNpy + ["--json", "@/out/is-a-dir.json"], ["is-a-dir.json"]),
            bad("--json /dev/full", knnNpy + ["--json", "/dev/full"], ["/dev/full"], check: devFullIntact),
            bad("compare --json /dev/full", sameSides + ["--json", "/dev/full"], ["/dev/full"], check: devFullIntact),
            bad("--json under a regular file", knnNpy + ["--json", "@/out/a-file.txt/r.json"], ["a-file.txt"]),
            bad("--json empty", knnNpy + ["--json", ""], ["--json"]),
            bad("--json onto a symlink loop", knnNpy + ["--json", "@@/loop.json"], ["loop.json"], setup: loopSetup),
            fine("--json into a FIFO", knnNpy + ["--json", "@@/results.json"], limit: 30, setup: fifoSetup, check: fifoCheck),
            fine("--json through a symlink", knnNpy + ["--json", "@@/link.json"], setup: linkSetup, check: linkCheck),
            fine("--json through a dangling symlink", knnNpy + ["--json", "@@/link.json"], setup: danglingSetup, check: linkCheck),
            fine("--json - (knn)", knnNpy + ["--json", "-"], check: stdoutJSON),
            fine("--json - (compare)", sameSides + ["--json", "-"], check: stdoutJSON),
            fine("--json - (explore)", explore + ["--method", "pca", "--json", "-"], check: stdoutJSON),
            fine("--json /dev/null", knnNpy + ["--json", "/dev/null"], check: { _, _, f in
                f.expect(fileType("/dev/null") == S_IFCHR, "/dev/null is no longer a character device")
            }),
            fine("--json onto an existing file", knnNpy + ["--json", "@@/existing.json"], setup: existingSetup, check: existingCheck),
            bad("failing run keeps the earlier --json", ["knn", "--embeddings", "@/npy/nanrow.npy", "--labels", "@/npy/l.npy", "--json", "@/out/old.json"],
                ["nanrow.npy", "--embeddings"], noTable: true, check: unchanged("out/old.json", "OLD RESULT")),
            bad("check --json into a missing directory", ["check", "@/check/task.json", "--json", "@/no-such-check-dir/r.json"], ["no-such-check-dir"]),
            bad("embed --output onto a regular file", embedSmall + ["@/out/existing.bin"], ["existing.bin"],
                check: unchanged("out/existing.bin", "PRECIOUS")),
            bad("embed --output under /proc", embedSmall + ["/proc/embeval-out"], ["/proc"]),
            bad("embed --output /dev/full", embedSmall + ["/dev/full"], ["/dev/full"], check: devFullIntact),
            bad("failing embed keeps earlier results", ["embed", "-m", "pixels", "--image-size", "16", "--dataset", img("trunc-half.jpg"),
                                                        "--output", "@/prior"], ["trunc-half.jpg"], check: unchanged("prior/embeddings.npy", "PRECIOUS")),
            fine("embed --output through a symlinked folder", embedSmall + ["@@/outlink"], setup: dirLinkSetup, check: dirLinkCheck),
        ]
    }()

    @Test(arguments: outputCases) func outputs(_ c: HostileCase) throws { try exercise(c) }

    /// The cheap valid baseline the brief names, so that a broken binary does not read as 200 hostile-input failures.
    @Test func baselineRuns() throws {
        let r = try runWatched(["knn", "-m", "pixels", "--dataset", "fashion-mnist", "--samples", "50"], timeout: 60)
        #expect(r.code == 0 && hasTable(r.out), "\(r.summary)")
    }
}
