// A partial extraction as `embed --resume` continues it (Embedding/PartialExtraction.swift, EmbeddingJob.swift,
// NumpyRowWriter.swift): `progress.json`, `skipped.jsonl` and the staged `set/embeddings.npy` of a killed run, and
// the finished set a requeued job may find. The input is a folder of files, each introduced by a line `== PATH` (at
// most four path components: `.out.partial/progress.json`, `.out.partial/set/embeddings.npy`, `out/manifest.json`),
// resumed over a fixed manifest of ten 2×2 PNGs (two of them undecodable and skipped) as `-m pixels --image-size 2
// --batch-size 3 --on-bad-image skip` (or, for a record of two poolings, the tiny ViT fixture's `--pooling cls,mean`,
// a set per pooling), with the `--dtype` and `--shard` its record names. A resume that succeeds
// must leave a set that reads back whole, each row beside its sample's id, with no staging folder; one that fails
// must keep the partial run, its files and record, and leave the output as it was; neither may write outside the
// job's folder.
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

/// The tiny ViT fixture, for records of two poolings (`cls,mean`: a set per pooling); Fuzz/run starts in the repository.
private let vitTiny = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    .appendingPathComponent("Tests/EmbevalTests/Fixtures/models/vit-tiny").path

/// What the input's record asks the resume to be: `--dtype`, `--shard`, and `-m pixels` or the ViT's `cls,mean`.
private struct Settings {
    var storage = StoredFloat.float32
    var shard: Shard?
    var poolings = false
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPartial(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let job = scratch.appendingPathComponent("job", isDirectory: true)
    guard FuzzInput.unpack(FuzzInput.bytes(data, size), into: job, depth: 4) else { return 0 }
    let home = FileManager.default.currentDirectoryPath
    _ = vitTiny   // resolved (once) against the repository, before the working directory changes
    FileManager.default.changeCurrentDirectoryPath(scratch.path)
    defer { FileManager.default.changeCurrentDirectoryPath(home) }
    let unpacked = Set((try? FileManager.default.contentsOfDirectory(atPath: job.path)) ?? [])
    resume(in: job, as: settings(recordedIn: job))
    // The job writes its output and its staging folder, nothing else.
    let beside = ((try? FileManager.default.contentsOfDirectory(atPath: scratch.path)) ?? []).filter { !["data", "job"].contains($0) }
    let inJob = ((try? FileManager.default.contentsOfDirectory(atPath: job.path)) ?? [])
        .filter { !unpacked.contains($0) && !["out", ".out.partial"].contains($0) }
    if !beside.isEmpty || !inJob.isEmpty { fatalError("fuzz-partial: \(beside + inJob) written outside the output and its staging folder") }
    return 0
}

/// The settings the input's record names (the staging folder's, else the finished set's), so that the resume gets
/// past "started with other settings" to the record's counts and files.
private func settings(recordedIn job: URL) -> Settings {
    for (file, key) in [(".out.partial/progress.json", "record"), ("out/manifest.json", "extraction")] {
        guard let data = FileManager.default.contents(atPath: job.appendingPathComponent(file).path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let record = object[key] as? [String: Any] else { continue }
        let range = record["shard"] as? [String: Any]
        let shard = (range?["index"] as? Int).flatMap { index in (range?["count"] as? Int).flatMap { try? Shard(index: index, count: $0) } }
        return Settings(storage: record["dtype"] as? String == "float16" ? .float16 : .float32, shard: shard,
                        poolings: (record["poolings"] as? [String])?.count == 2)
    }
    return Settings()
}

private func resume(in job: URL, as settings: Settings) {
    let out = job.appendingPathComponent("out"), partial = job.appendingPathComponent(".out.partial")
    let record = partial.appendingPathComponent("progress.json"), manifest = out.appendingPathComponent("manifest.json")
    let recordBefore = FileManager.default.contents(atPath: record.path)
    let manifestBefore = FileManager.default.contents(atPath: manifest.path)
    let filesBefore = Set((try? FileManager.default.subpathsOfDirectory(atPath: job.path)) ?? [])
    let hadPartial = FileManager.default.fileExists(atPath: partial.path)
    let spec = settings.poolings ? try? ImageModelSpec(path: vitTiny, poolings: [.cls, .mean])
        : try? ImageModelSpec(path: "pixels", preprocessing: PreprocessorOverrides(imageSize: 2))
    guard let model = spec,
          let selection = try? DatasetSelection("data/data.csv"),
          let context = try? EvaluationContext(batchSize: 3, onBadImage: .skip) else { fatalError("fuzz-partial: the job's settings") }
    let embed = EmbeddingJob(model: model, dataset: selection, output: out,
                             shard: settings.shard.map { ShardAssignment(shard: $0, origin: "--shard") }, resume: true, storage: settings.storage)
    do {
        let result = try embed.run(context)
        if FileManager.default.fileExists(atPath: partial.path) { fatalError("fuzz-partial: a finished resume left its staging folder") }
        guard !result.alreadyComplete else { return }
        // What a resume commits reads back whole, as every command reads `--embeddings`, each row beside its own
        // sample's id: the shard's samples in order, less the skipped ones.
        let sets: [(name: String, embeddings: Embeddings)]
        do { sets = try EmbeddingFiles(paths: [out], labels: .stored).loadSets().sets } catch {
            fatalError("fuzz-partial: the resumed set does not read back: \(error)")
        }
        let skipped = Set(result.record.skipped.map(\.id))
        let samples = (result.record.shard?.start ?? 0)..<(result.record.shard?.end ?? 10)
        let expected = samples.map { "img\($0).png" }.filter { !skipped.contains($0) }
        guard sets.count == result.sets.count else { fatalError("fuzz-partial: \(sets.count) sets read back of \(result.sets.count) written") }
        for (set, written) in zip(sets, result.sets) where set.embeddings.ids != expected || set.embeddings.count != written.rows {
            fatalError("fuzz-partial: the resumed set '\(set.name)' has \(set.embeddings.count) rows \(set.embeddings.ids), not the samples \(expected)")
        }
    } catch {
        // A refused or failed resume keeps what was done: the staging folder, its files and record, the output.
        if hadPartial, !FileManager.default.fileExists(atPath: partial.path) { fatalError("fuzz-partial: a failed resume deleted its partial run (\(error))") }
        if FileManager.default.contents(atPath: record.path) != recordBefore { fatalError("fuzz-partial: a failed resume changed its record (\(error))") }
        if FileManager.default.contents(atPath: manifest.path) != manifestBefore { fatalError("fuzz-partial: a failed resume changed the output (\(error))") }
        let filesAfter = Set((try? FileManager.default.subpathsOfDirectory(atPath: job.path)) ?? [])
        if filesAfter != filesBefore {
            fatalError("fuzz-partial: a failed resume created \(filesAfter.subtracting(filesBefore).sorted()) and removed \(filesBefore.subtracting(filesAfter).sorted()) (\(error))")
        }
    }
}
