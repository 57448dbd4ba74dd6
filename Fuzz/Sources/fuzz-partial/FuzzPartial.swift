// A partial extraction as `embed --resume` continues it (Embedding/PartialExtraction.swift, EmbeddingJob.swift,
// NumpyRowWriter.swift): `progress.json`, `skipped.jsonl` and the staged `set/embeddings.npy` of a killed run, and
// the finished set a requeued job may find. The input is a folder of files, each introduced by a line `== PATH` (at
// most four path components: `.out.partial/progress.json`, `.out.partial/set/embeddings.npy`, `out/manifest.json`),
// resumed three ways over a fixed manifest of ten 2×2 PNGs (two of them undecodable and skipped), `-m pixels
// --image-size 2 --batch-size 3 --on-bad-image skip`: as float32, as float16 and as shard 1/2. A resume that
// succeeds must leave a set that reads back whole, with no staging folder; one that fails must keep the partial run
// and its record, and leave the output as it was; neither may write outside the job's folder.
import Embeval
import Foundation
import FuzzSupport

/// The scratch folder, the working directory while a resume runs: `data/` (the manifest and its images, written once)
/// and `job/` (the input, unpacked for each resume). The relative dataset path keeps the record's spec the same in
/// every process, as in the seeds; libFuzzer's own relative paths need the directory back between inputs.
private let scratch: URL = {
    let folder = FuzzInput.folder
    let data = folder.appendingPathComponent("data", isDirectory: true)
    try? FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
    var rows = ["path,label"]
    for i in 0..<10 {
        let name = "img\(i).png"
        let pixels = (0..<12).map { UInt8(truncatingIfNeeded: 23 * i + 41 * $0) }
        let bytes = [4, 7].contains(i) ? Data("not an image".utf8)
            : Data((try? PNGWriter.encode(RGBImage(width: 2, height: 2, pixels: pixels))) ?? [])
        try? bytes.write(to: data.appendingPathComponent(name))
        rows.append("\(name),\(i % 3 == 0 ? "a" : "b")")
    }
    try? (rows.joined(separator: "\n") + "\n").write(to: data.appendingPathComponent("data.csv"), atomically: true, encoding: .utf8)
    return folder
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPartial(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = FuzzInput.bytes(data, size)
    let job = scratch.appendingPathComponent("job", isDirectory: true)
    let home = FileManager.default.currentDirectoryPath
    FileManager.default.changeCurrentDirectoryPath(scratch.path)
    defer { FileManager.default.changeCurrentDirectoryPath(home) }
    for (storage, shard) in [(StoredFloat.float32, nil), (.float16, nil), (.float32, try? Shard(index: 1, count: 2))] {
        guard FuzzInput.unpack(bytes, into: job, depth: 4) else { return 0 }
        let unpacked = Set((try? FileManager.default.contentsOfDirectory(atPath: job.path)) ?? [])
        resume(in: job, storage: storage, shard: shard)
        // The job writes its output and its staging folder, nothing else.
        let beside = ((try? FileManager.default.contentsOfDirectory(atPath: scratch.path)) ?? []).filter { !["data", "job"].contains($0) }
        let inJob = ((try? FileManager.default.contentsOfDirectory(atPath: job.path)) ?? [])
            .filter { !unpacked.contains($0) && !["out", ".out.partial"].contains($0) }
        if !beside.isEmpty || !inJob.isEmpty { fatalError("fuzz-partial: \(beside + inJob) written outside the output and its staging folder") }
    }
    return 0
}

private func resume(in job: URL, storage: StoredFloat, shard: Shard?) {
    let out = job.appendingPathComponent("out"), partial = job.appendingPathComponent(".out.partial")
    let record = partial.appendingPathComponent("progress.json"), manifest = out.appendingPathComponent("manifest.json")
    let recordBefore = FileManager.default.contents(atPath: record.path)
    let manifestBefore = FileManager.default.contents(atPath: manifest.path)
    let hadPartial = FileManager.default.fileExists(atPath: partial.path)
    guard let model = try? ImageModelSpec(path: "pixels", preprocessing: PreprocessorOverrides(imageSize: 2)),
          let selection = try? DatasetSelection("data/data.csv"),
          let context = try? EvaluationContext(batchSize: 3, onBadImage: .skip) else { fatalError("fuzz-partial: the job's settings") }
    let embed = EmbeddingJob(model: model, dataset: selection, output: out, shard: shard.map { ShardAssignment(shard: $0, origin: "--shard") },
                             resume: true, storage: storage)
    do {
        let result = try embed.run(context)
        if FileManager.default.fileExists(atPath: partial.path) { fatalError("fuzz-partial: a finished resume left its staging folder") }
        // What a resume commits reads back whole, as every command reads `--embeddings`.
        if !result.alreadyComplete {
            let sets: [(name: String, embeddings: Embeddings)]
            do { sets = try EmbeddingFiles(paths: [out], labels: .stored).loadSets().sets } catch {
                fatalError("fuzz-partial: the resumed set does not read back: \(error)")
            }
            guard sets.map(\.embeddings.count) == result.sets.map(\.rows) else {
                fatalError("fuzz-partial: the resumed set reads back as \(sets.map(\.embeddings.count)) rows, not \(result.sets.map(\.rows))")
            }
        }
    } catch {
        // A failed resume keeps what was done: the staging folder and its record, and the output as it was.
        if hadPartial, !FileManager.default.fileExists(atPath: partial.path) { fatalError("fuzz-partial: a failed resume deleted its partial run (\(error))") }
        if FileManager.default.contents(atPath: record.path) != recordBefore { fatalError("fuzz-partial: a failed resume changed its record (\(error))") }
        if FileManager.default.contents(atPath: manifest.path) != manifestBefore { fatalError("fuzz-partial: a failed resume changed the output (\(error))") }
    }
}
