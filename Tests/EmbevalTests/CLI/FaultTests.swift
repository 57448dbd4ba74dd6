import Foundation
import Testing
@testable import Embeval

/// Nothing already written is lost: a run killed at any moment, or one that meets a full disk, leaves the old
/// complete set or the new one — never a mix that a later command would score.
@Suite(.serialized) struct FaultTests {
    let dir = TestPaths.scratch("faults")

    /// Starts `embeval` and kills it with SIGKILL after `delay` seconds (if it is still running then).
    func runKilled(_ arguments: [String], after delay: Double) throws {
        let process = Process()
        process.executableURL = TestPaths.embevalBinary
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: delay)
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Seconds one uninterrupted run takes.
    func duration(_ arguments: [String]) throws -> Double {
        let start = Date()
        let r = try runEmbeval(arguments)
        #expect(r.code == 0, "\(r.err)")
        return Date().timeIntervalSince(start)
    }

    func ids(_ folder: URL) throws -> [String] {
        try Embeddings.load(embeddings: folder.appendingPathComponent("embeddings.npy"),
                            labels: folder.appendingPathComponent("labels.npy")).ids
    }

    @Test(arguments: [UInt64(1), 2, 3, 4])
    func embedKilledAtAnyMomentLeavesTheOldSetOrTheNew(seed: UInt64) throws {
        let out = dir.appendingPathComponent("embed-\(seed)")
        let run = { (s: Int) in ["embed", "-m", "pixels", "--dataset", "fashion-mnist", "--samples", "2000", "--seed", "\(s)",
                                 "--output", out.path] }
        let seconds = try duration(run(100))
        let old = try ids(out)
        var generator = SeededGenerator(seed: seed)
        let delay = seconds * Double(generator.index(below: 1000)) / 1000
        try runKilled(run(200), after: delay)
        // Whatever the moment, the folder reads back as one complete set: the old one, or the new one.
        let now = try ids(out)
        let new = try DatasetSpec.load("fashion-mnist").sampled(2000, seed: 200).ids
        #expect(now == old || now == new, "killed after \(delay)s of \(seconds)s")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".embed-\(seed)") }
        // A later run cleans up the staging folder of the killed one.
        #expect(try duration(run(300)) > 0)
        #expect(try ids(out) == DatasetSpec.load("fashion-mnist").sampled(2000, seed: 300).ids)
        let after = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".embed-\(seed)") }
        #expect(after.isEmpty, "staging left behind: \(after) (before the clean run: \(leftovers))")
    }

    @Test(arguments: [UInt64(7), 8, 9])
    func exploreKilledAtAnyMomentLeavesTheOldMapsOrTheNew(seed: UInt64) throws {
        let (m, labels) = clusteredEmbeddings(rows: 1500, columns: 16, classes: 5, seed: seed)
        let e = dir.appendingPathComponent("e-\(seed).npy"), l = dir.appendingPathComponent("l-\(seed).npy")
        try NumpyArray.write(m, to: e)
        try NumpyArray.write(labels: labels, to: l)
        let out = dir.appendingPathComponent("maps-\(seed)")
        let run = { (s: Int) in ["explore", "--embeddings", e.path, "--labels", l.path, "--method", "pca", "--seed", "\(s)",
                                 "--out", out.path] }
        let seconds = try duration(run(1))
        let before = try Data(contentsOf: out.appendingPathComponent("pca.npy"))
        var generator = SeededGenerator(seed: seed)
        try runKilled(run(2), after: seconds * Double(generator.index(below: 1000)) / 1000)
        let manifest = try #require(try SetManifest.verified(in: out))
        #expect(manifest.kind == "explore")
        let now = try Data(contentsOf: out.appendingPathComponent("pca.npy"))
        #expect(try duration(run(2)) > 0)
        let new = try Data(contentsOf: out.appendingPathComponent("pca.npy"))
        #expect(now == before || now == new)
    }

    @Test func aMixedSetIsRefusedNotScored() throws {
        let out = dir.appendingPathComponent("mixed")
        #expect(try duration(["embed", "-m", "pixels", "--dataset", "fashion-mnist", "--samples", "50", "--output", out.path]) > 0)
        // Another tool (or a copy cut short) replaces one file of the set.
        try NumpyArray.write(labels: [Int](repeating: 1, count: 40), to: out.appendingPathComponent("labels.npy"))
        let r = try runEmbeval(["knn", "--embeddings", out.appendingPathComponent("embeddings.npy").path,
                                "--labels", out.appendingPathComponent("labels.npy").path])
        #expect(r.code == 2)
        #expect(r.err.contains("incomplete or mixed set"), "\(r.err)")
        #expect(!r.out.contains("Top-1"))
    }

    @Test func aFolderOfOtherFilesIsNeverReplaced() throws {
        let out = dir.appendingPathComponent("mine")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try "precious".write(to: out.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let r = try runEmbeval(["embed", "-m", "pixels", "--dataset", "fashion-mnist", "--samples", "20", "--output", out.path])
        #expect(r.code == 2)
        #expect(r.err.contains("notes.txt"), "\(r.err)")
        #expect(try String(contentsOf: out.appendingPathComponent("notes.txt"), encoding: .utf8) == "precious")
    }

    @Test(.enabled(if: TmpfsMount.available, "needs root to mount a small tmpfs"))
    func aFullDiskIsAnErrorAndLosesNothing() throws {
        let disk = try TmpfsMount(bytes: 512 * 1024)
        defer { disk.unmount() }
        let out = disk.path.appendingPathComponent("emb")
        #expect(try duration(["embed", "-m", "pixels", "--dataset", "fashion-mnist", "--samples", "20", "--output", out.path]) > 0)
        let old = try ids(out)
        // 2,000 × 784 floats (6 MB) cannot fit: exit 2, the earlier set untouched, no staging left.
        let r = try runEmbeval(["embed", "-m", "pixels", "--dataset", "fashion-mnist", "--samples", "2000", "--output", out.path])
        #expect(r.code == 2)
        #expect(r.err.contains("No space left on device"), "\(r.err)")
        #expect(r.err.split(separator: "\n").count == 1, "\(r.err)")
        #expect(try ids(out) == old)
        #expect(try FileManager.default.contentsOfDirectory(atPath: disk.path.path).sorted() == ["emb"])
        // A report that no longer fits leaves the earlier one as it was.
        let json = disk.path.appendingPathComponent("r.json")
        let filler = disk.path.appendingPathComponent("filler")
        let e = dir.appendingPathComponent("small.npy"), l = dir.appendingPathComponent("small-labels.npy")
        let (m, labels) = clusteredEmbeddings(rows: 60, columns: 4, classes: 3, seed: 3)
        try NumpyArray.write(m, to: e)
        try NumpyArray.write(labels: labels, to: l)
        #expect(try duration(["knn", "--embeddings", e.path, "--labels", l.path, "--json", json.path]) > 0)
        let report = try Data(contentsOf: json)
        FileManager.default.createFile(atPath: filler.path, contents: Data(count: 0))
        let handle = try FileHandle(forWritingTo: filler)
        while (try? handle.write(contentsOf: Data(count: 4096))) != nil {}
        try? handle.close()
        let full = try runEmbeval(["knn", "--embeddings", e.path, "--labels", l.path, "--json", json.path])
        #expect(full.code == 2, "\(full.err)")
        #expect(try Data(contentsOf: json) == report)
    }

    @Test func specialFilesAreWrittenInPlaceNeverReplaced() throws {
        let (m, labels) = clusteredEmbeddings(rows: 60, columns: 4, classes: 3, seed: 4)
        let e = dir.appendingPathComponent("s.npy"), l = dir.appendingPathComponent("s-labels.npy")
        try NumpyArray.write(m, to: e)
        try NumpyArray.write(labels: labels, to: l)
        let knn = ["knn", "--embeddings", e.path, "--labels", l.path]
        // /dev/full: an error, and it stays a device.
        let full = try runEmbeval(knn + ["--json", "/dev/full"])
        #expect(full.code == 2)
        #expect(full.err.contains("/dev/full") && full.err.contains("No space left on device"), "\(full.err)")
        var status = stat()
        #expect(stat("/dev/full", &status) == 0 && (status.st_mode & S_IFMT) == S_IFCHR)
        // A symbolic link stays a link; its target gets the report.
        let target = dir.appendingPathComponent("target.json"), link = dir.appendingPathComponent("link.json")
        try "{}".write(to: target, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        #expect(try runEmbeval(knn + ["--json", link.path]).code == 0)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == target.path)
        #expect(try String(contentsOf: target, encoding: .utf8).contains("\"task\": \"knn\""))
        // A FIFO is written in place while someone reads it.
        let fifo = dir.appendingPathComponent("pipe.json")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/bin/cat")
        reader.arguments = [fifo.path]
        let pipe = Pipe()
        reader.standardOutput = pipe
        try reader.run()
        #expect(try runEmbeval(knn + ["--json", fifo.path]).code == 0)
        let piped = pipe.fileHandleForReading.readDataToEndOfFile()
        reader.waitUntilExit()
        #expect(String(decoding: piped, as: UTF8.self).contains("\"task\": \"knn\""))
        #expect(stat(fifo.path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFIFO)
        // A directory is refused; `-` is standard output (the JSON alone).
        let intoDirectory = try runEmbeval(knn + ["--json", dir.path])
        #expect(intoDirectory.code == 2 && intoDirectory.err.contains("is a directory"), "\(intoDirectory.err)")
        let stdout = try runEmbeval(knn + ["--json", "-"])
        #expect(stdout.code == 0)
        #expect(try JSONSerialization.jsonObject(with: Data(stdout.out.utf8)) is [String: Any])
    }
}

/// A small tmpfs mounted for one test (needs root; `available` says whether this machine allows it).
struct TmpfsMount {
    let path: URL

    init(bytes: Int) throws {
        path = TestPaths.scratch("tmpfs")
        guard Self.mount(path, bytes: bytes) else { throw POSIXError(.EPERM) }
    }

    func unmount() { _ = Self.shell("umount \(path.path)") }

    static let available: Bool = {
        let probe = TestPaths.scratch("tmpfs-probe")
        guard mount(probe, bytes: 64 * 1024) else { return false }
        _ = shell("umount \(probe.path)")
        return true
    }()

    static func mount(_ path: URL, bytes: Int) -> Bool { shell("mount -t tmpfs -o size=\(bytes) tmpfs \(path.path)") }

    static func shell(_ command: String) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command + " 2>/dev/null"]
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
