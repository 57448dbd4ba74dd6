import Foundation
import Testing
@testable import Embeval

/// Extraction that scales out and survives failure, through the CLI: a run killed with SIGKILL at random batches
/// resumes to the uninterrupted run's bytes; four shard processes in parallel merge into the single run's bytes;
/// shards that do not belong together are refused; kNN over shard folders and over query shards equals one process.
@Suite(.serialized) struct ScaleOutTests {
    static let vit = TestPaths.repository.appendingPathComponent("tools/demo_model/fashion-vit").path
    static let setFiles = ["embeddings.npy", "labels.npy", "ids.txt", "classes.txt"]
    let dir = TestPaths.scratch("scaleout")

    func embed(_ out: URL, _ extra: [String] = []) -> [String] {
        ["embed", "-m", Self.vit, "--dataset", "fashion-mnist", "--samples", "2000", "--batch-size", "32", "--output", out.path] + extra
    }

    func files(_ folder: URL) throws -> [Data] {
        try Self.setFiles.map { try Data(contentsOf: folder.appendingPathComponent($0)) }
    }

    func succeed(_ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let r = try runEmbeval(arguments, environment: environment)
        #expect(r.code == 0, "\(arguments): \(r.err)")
        return r.out
    }

    /// Starts `arguments` and kills the process with SIGKILL once its progress record counts `batches` batches
    /// (plus `extra` seconds, to land inside the next one); returns whether it was still running then.
    @discardableResult
    func runKilled(_ arguments: [String], partial: URL, afterBatches batches: Int, extra: Double) throws -> Bool {
        let process = Process()
        process.executableURL = TestPaths.embevalBinary
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let record = partial.appendingPathComponent("progress.json")
        while process.isRunning {
            if let data = FileManager.default.contents(atPath: record.path),
               let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], (object["batches"] as? Int ?? 0) >= batches {
                Thread.sleep(forTimeInterval: extra)
                break
            }
            Thread.sleep(forTimeInterval: 0.002)
        }
        let killed = process.isRunning
        if killed { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return killed
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func aRunKilledAtAnyBatchResumesToTheSameBytes(seed: UInt64) throws {
        let reference = dir.appendingPathComponent("reference-\(seed)"), out = dir.appendingPathComponent("killed-\(seed)")
        _ = try succeed(embed(reference))
        var generator = SeededGenerator(seed: seed)
        let batches = 1 + generator.index(below: 55), extra = Double(generator.index(below: 20)) / 1000
        let partial = dir.appendingPathComponent(".killed-\(seed).partial")
        let killed = try runKilled(embed(out), partial: partial, afterBatches: batches, extra: extra)
        #expect(killed, "finished before batch \(batches)")
        // Nothing that looks complete: no set yet, only the staging folder.
        #expect(!FileManager.default.fileExists(atPath: out.path))
        let resumed = try succeed(embed(out, ["--resume"]))
        #expect(resumed.contains("resumed after"), "\(resumed)")
        #expect(try files(out) == files(reference), "killed after batch \(batches)")
        #expect(!FileManager.default.fileExists(atPath: partial.path))
        // Resuming a finished set does nothing; resuming it with other settings is refused, the set kept.
        #expect(try succeed(embed(out, ["--resume"])).contains("already complete"))
        let other = try runEmbeval(embed(out, ["--resume", "--batch-size", "16"]))
        #expect(other.code == 2 && other.err.contains("holds a finished set made with another batch size"), "\(other.err)")
        #expect(try files(out) == files(reference))
    }

    @Test func aResumeWithOtherSettingsIsRefusedAndKeepsThePartialRun() throws {
        let out = dir.appendingPathComponent("refused"), partial = dir.appendingPathComponent(".refused.partial")
        try runKilled(embed(out), partial: partial, afterBatches: 10, extra: 0)
        for (changed, message) in [(["--batch-size", "16"], "another batch size"), (["--pooling", "mean"], "other poolings"),
                                   (["--image-size", "14"], "other preprocessing"), (["--jpeg-draft"], "other preprocessing"),
                                   (["--on-bad-image", "skip"], "another --on-bad-image")] {
            let r = try runEmbeval(embed(out, ["--resume"]) + changed)
            #expect(r.code == 2)
            #expect(r.err.hasPrefix("error: --resume: the partial extraction in '\(partial.path)' was started with \(message)"), "\(r.err)")
            #expect(r.err.split(separator: "\n").count == 1, "\(r.err)")
        }
        let otherModel = try runEmbeval(["embed", "-m", "pixels", "--dataset", "fashion-mnist", "--samples", "2000", "--batch-size", "32",
                                         "--output", out.path, "--resume"])
        #expect(otherModel.code == 2 && otherModel.err.contains("another model"), "\(otherModel.err)")
        let otherData = try runEmbeval(["embed", "-m", Self.vit, "--dataset", "fashion-mnist", "--samples", "2000", "--seed", "5",
                                        "--batch-size", "32", "--output", out.path, "--resume"])
        #expect(otherData.code == 2 && otherData.err.contains("another dataset selection"), "\(otherData.err)")
        // A progress record edited to counts no run writes is refused by name, never trapped on or trusted.
        let record = partial.appendingPathComponent("progress.json"), original = try Data(contentsOf: record)
        let edits: [(String, Any)] = [("batches", Int.max), ("rows", Int.max), ("columns", [1 << 62]), ("samples", -1), ("rows", -5),
                                      ("batches", 3), ("bytes", [Int]())]
        for (field, value) in edits {
            var object = try #require(try JSONSerialization.jsonObject(with: original) as? [String: Any])
            object[field] = value
            try JSONSerialization.data(withJSONObject: object).write(to: record)
            let r = try runEmbeval(embed(out, ["--resume"]))
            #expect(r.code == 2 && r.err.hasPrefix("error: --resume: '\(record.path)' cannot be continued from")
                    && r.err.split(separator: "\n").count == 1, "\(field) = \(value): \(r.err)")
        }
        // So is one that is not a record at all, or whose extraction no run writes: --resume keeps the partial run
        // (it was discarded without a word before, and its batches lost).
        var dotdot = try #require(try JSONSerialization.jsonObject(with: original) as? [String: Any])
        var extraction = try #require(dotdot["record"] as? [String: Any])
        extraction["poolings"] = [".."]
        dotdot["record"] = extraction
        for (replacement, reason) in [(Data("{\"batches\": ".utf8), "not a progress record embeval wrote"),
                                      (try JSONSerialization.data(withJSONObject: dotdot), "record.poolings: the pooling \"..\"")] {
            try replacement.write(to: record)
            let r = try runEmbeval(embed(out, ["--resume"]))
            #expect(r.code == 2 && r.err.hasPrefix("error: --resume: '\(record.path)' cannot be continued from") && r.err.contains(reason)
                    && r.err.split(separator: "\n").count == 1, "\(r.err)")
            #expect(try Data(contentsOf: record) == replacement)
        }
        try original.write(to: record)
        // The partial run survived every refusal and still resumes.
        #expect(try succeed(embed(out, ["--resume"])).contains("resumed after"))
    }

    /// A progress record whose counts disagree with the files it counts — `.npy` lengths that are not its rows, a
    /// skipped log that does not make its samples less its rows — or staged rows no run writes (NaN) are refused
    /// before any file is cut, and the partial run kept. A record counting 32 rows over files cut back to 8 was resumed into a committed set of 16 rows and
    /// 40 labels, replacing the output, before the command's own read-back refused it.
    @Test func aRecordThatDisagreesWithItsFilesIsRefused() throws {
        let images = TestPaths.fixture("models/images"), flaky = dir.appendingPathComponent("flaky.png")
        try Data("not an image yet".utf8).write(to: flaky)
        let rows = (0..<40).map { i in
            "\(i == 35 ? flaky.path : images.appendingPathComponent(["class_a/a1.png", "class_b/b1.png"][i % 2]).path),\(i % 2 == 0 ? "a" : "b")"
        }
        let manifest = dir.appendingPathComponent("flaky.csv")
        try (["path,label"] + rows).joined(separator: "\n").appending("\n").write(to: manifest, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("disagreeing"), partial = dir.appendingPathComponent(".disagreeing.partial")
        let run = ["embed", "-m", "pixels", "--image-size", "4", "--dataset", manifest.path, "--batch-size", "8", "--output", out.path, "--resume"]
        // The run stops at the undecodable image after 4 batches (32 rows of 48 values), its partial run kept.
        #expect(try runEmbeval(run).code == 2)
        try FileManager.default.copyItem(at: images.appendingPathComponent("class_a/a1.png"), to: dir.appendingPathComponent("a1.png"))
        try FileManager.default.removeItem(at: flaky)
        try FileManager.default.moveItem(at: dir.appendingPathComponent("a1.png"), to: flaky)
        let record = partial.appendingPathComponent("progress.json"), skipped = partial.appendingPathComponent("skipped.jsonl")
        let npy = partial.appendingPathComponent("set/embeddings.npy")
        let original = try Data(contentsOf: record), npyBytes = try Data(contentsOf: npy)
        let object = try #require(try JSONSerialization.jsonObject(with: original) as? [String: Any])
        #expect(object["rows"] as? Int == 32 && object["bytes"] as? [Int] == [128 + 32 * 48 * 4])
        // A skipped-sample line as a run writes it: the id is the manifest's path.
        let id = { (position: Int) in String(rows[position].split(separator: ",")[0]) }
        let entry = { (position: Int, id: String) in
            Data("{\"id\":\(String(reflecting: id)),\"position\":\(position),\"reason\":\"cannot decode\"}\n".utf8)
        }
        let line = entry(3, id(3))
        // What a run killed inside its next batch leaves past the counted bytes: a resume would cut it, a refusal not.
        let npyTail = Data(repeating: 7, count: 100), logTail = Data("{\"id\":".utf8)
        let edits: [(fields: [String: Any], npy: Data?, skipped: Data?, message: String)] = [
            (["bytes": [128 + 8 * 48 * 4]], npyBytes + npyTail, logTail, "it records 8 rows of 48 values in embeddings.npy, not its 32 rows"),
            (["bytes": [128 + 31 * 48 * 4], "rows": 31], npyBytes + npyTail, logTail,
             "its skipped.jsonl lists 0 skipped sample(s), where 32 samples and 31 rows leave 1"),
            (["skipped_bytes": line.count], npyBytes + npyTail, line + logTail, "its skipped.jsonl lists 1 skipped sample(s), where 32 samples and 32 rows leave 0"),
            (["bytes": [128 + 31 * 48 * 4], "rows": 31, "skipped_bytes": entry(39, id(39)).count], npyBytes, entry(39, id(39)),
             "its skipped.jsonl lists position 39, outside the positions done (0..<32)"),
            (["bytes": [128 + 30 * 48 * 4], "rows": 30, "skipped_bytes": 2 * line.count], npyBytes, line + line, "its skipped.jsonl lists position 3 twice"),
            // A log shifted by one sample would put every later label and id beside another sample's row.
            (["bytes": [128 + 31 * 48 * 4], "rows": 31, "skipped_bytes": line.count], npyBytes, entry(3, id(2)) + logTail,
             "its skipped.jsonl names \(String(reflecting: id(2))) at position 3, where the dataset has \(String(reflecting: id(3)))"),
            (["skipped_bytes": 10], npyBytes, logTail, "it counts 10 bytes of skipped.jsonl, which holds 6"),
            // A last line without its line break: the resume's next line was appended to it, and the finished run
            // failed to read the log back after embedding every batch left.
            (["bytes": [128 + 31 * 48 * 4], "rows": 31, "skipped_bytes": line.count - 1], npyBytes, line.dropLast() + logTail,
             "it counts \(line.count - 1) bytes of skipped.jsonl, which end inside a line"),
            // Missing files were created (empty) before the writers refused them.
            (["bytes": [128 + 31 * 48 * 4], "rows": 31, "skipped_bytes": line.count], npyBytes, nil, "it counts \(line.count) bytes of skipped.jsonl, which holds 0"),
            ([:], nil, logTail, "it counts \(npyBytes.count) bytes of embeddings.npy, which holds 0"),
            ([:], npyBytes.prefix(1000), logTail, "it counts \(npyBytes.count) bytes of embeddings.npy, which holds 1000"),
        ]
        for edit in edits {
            var changed = object
            for (field, value) in edit.fields { changed[field] = value }
            try JSONSerialization.data(withJSONObject: changed).write(to: record)
            for (file, bytes) in [(npy, edit.npy), (skipped, edit.skipped)] {
                if let bytes { try bytes.write(to: file) } else { try? FileManager.default.removeItem(at: file) }
            }
            let r = try runEmbeval(run)
            let errors = r.err.split(separator: "\n").filter { !$0.hasPrefix("warning: manifest") }
            #expect(r.code == 2 && errors.count == 1 && errors[0].hasPrefix("error: --resume: '\(record.path)' cannot be continued from")
                    && errors[0].contains(edit.message), "\(edit.fields): \(r.err)")
            // Nothing was cut, created or committed.
            #expect(FileManager.default.contents(atPath: npy.path) == edit.npy && FileManager.default.contents(atPath: skipped.path) == edit.skipped,
                    "\(edit.fields)")
            #expect(!FileManager.default.fileExists(atPath: out.path))
        }
        try original.write(to: record)
        try Data().write(to: skipped)
        // Staged rows holding NaN (no run writes one: embed refuses them) were committed into the set before the
        // health check refused them, the output replaced and the partial run deleted.
        var poisoned = npyBytes
        poisoned.replaceSubrange((128 + 5 * 48 * 4 + 8)..<(128 + 5 * 48 * 4 + 12), with: [0x00, 0x00, 0xc0, 0x7f])
        try poisoned.write(to: npy)
        let r = try runEmbeval(run)
        let errors = r.err.split(separator: "\n").filter { !$0.hasPrefix("warning: manifest") }
        #expect(r.code == 2 && errors == ["error: --resume: '\(npy.path)' cannot be continued from: its row 5 (sample '\(id(5))') holds NaN or Inf, which no run writes; run without --resume to start over"],
                "\(r.err)")
        #expect(try Data(contentsOf: npy) == poisoned && Data(contentsOf: record) == original)
        #expect(!FileManager.default.fileExists(atPath: out.path))
        try npyBytes.write(to: npy)
        #expect(try succeed(run).contains("resumed after"))
        #expect(try SetManifest.verified(in: out)?.rows == 40)
    }

    /// A requeued `--resume` whose finished set's manifest lists none of its files (edited, or written by hand) said
    /// "already complete" and exited 0, though the set had lost its rows. A set is complete only when its manifest
    /// lists every file of it; else it is refused, and kept.
    @Test func aFinishedSetWhoseManifestListsNotItsFilesIsNotComplete() throws {
        let out = dir.appendingPathComponent("unlisted")
        let run = ["embed", "-m", "pixels", "--image-size", "4", "--dataset", "fashion-mnist", "--samples", "40", "--batch-size", "8",
                   "--output", out.path, "--resume"]
        _ = try succeed(run)
        let manifest = out.appendingPathComponent("manifest.json")
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: manifest)) as? [String: Any])
        object["files"] = (object["files"] as? [[String: Any]] ?? []).filter { $0["name"] as? String != "embeddings.npy" }
        let edited = try JSONSerialization.data(withJSONObject: object)
        try edited.write(to: manifest)
        try FileManager.default.removeItem(at: out.appendingPathComponent("embeddings.npy"))
        let r = try runEmbeval(run)
        #expect(r.code == 2 && r.err.hasPrefix("error: --resume: '\(out.path)' holds a set whose manifest does not list 'embeddings.npy'")
                && r.err.split(separator: "\n").count == 1, "\(r.err)")
        #expect(try Data(contentsOf: manifest) == edited)
    }

    /// Without --resume a partial run is discarded, always with a warning that says so: how far it got, or that its
    /// record does not read back (that case was discarded without a word).
    @Test func aPlainRunSaysWhatItDiscards() throws {
        let out = dir.appendingPathComponent("discarded"), partial = dir.appendingPathComponent(".discarded.partial")
        let record = partial.appendingPathComponent("progress.json")
        for corrupt in [false, true] {
            try runKilled(embed(out), partial: partial, afterBatches: 5, extra: 0)
            if corrupt { try Data("{\"batches\": ".utf8).write(to: record) }
            let r = try runEmbeval(embed(out))
            #expect(r.code == 0, "\(r.err)")
            let warnings = r.err.split(separator: "\n").filter { $0.hasPrefix("warning: discarding the partial extraction '\(partial.path)'") }
            #expect(warnings.count == 1, "\(r.err)")
            let expected = corrupt ? "its record '\(record.path)' does not read back (it is not a progress record embeval wrote)" : "of 2000 samples done"
            #expect(warnings.first?.contains(expected) == true, "\(r.err)")
            #expect(try SetManifest.verified(in: out)?.rows == 2000)
            #expect(!FileManager.default.fileExists(atPath: partial.path))
            try FileManager.default.removeItem(at: out)
        }
    }

    @Test func twoProcessesNeverWriteOneOutput() throws {
        let out = dir.appendingPathComponent("contended"), partial = dir.appendingPathComponent(".contended.partial")
        let first = Process()
        first.executableURL = TestPaths.embevalBinary
        first.arguments = embed(out)
        first.standardOutput = FileHandle.nullDevice
        first.standardError = FileHandle.nullDevice
        try first.run()
        while first.isRunning && !FileManager.default.fileExists(atPath: partial.appendingPathComponent("progress.json").path) {
            Thread.sleep(forTimeInterval: 0.002)
        }
        let second = try runEmbeval(embed(out, ["--resume"]))
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        #expect(second.code == 2 && second.err.contains("another embeval process is writing it"), "\(second.err)")
        #expect(try SetManifest.verified(in: out)?.rows == 2000)
    }

    @Test func skippedImagesResumeToo() throws {
        // A manifest of small PNGs and JPEGs with undecodable files among them, embedded as pixels with skips.
        let images = TestPaths.fixture("models/images")
        let broken = dir.appendingPathComponent("broken.png")
        try Data("not an image".utf8).write(to: broken)
        var rows = ["path,label"]
        for i in 0..<2400 {
            let file = i % 11 == 5 ? broken.path : images.appendingPathComponent(["class_a/a1.png", "class_a/a2.jpg", "class_b/b1.png", "class_b/b2.jpg"][i % 4]).path
            rows.append("\(file),\(i % 4 < 2 ? "a" : "b")")
        }
        let manifest = dir.appendingPathComponent("skips.csv")
        try (rows.joined(separator: "\n") + "\n").write(to: manifest, atomically: true, encoding: .utf8)
        func run(_ out: URL) -> [String] {
            ["embed", "-m", "pixels", "--image-size", "12", "--dataset", manifest.path, "--on-bad-image", "skip", "--batch-size", "8",
             "--output", out.path]
        }
        let reference = dir.appendingPathComponent("skips-reference"), out = dir.appendingPathComponent("skips")
        _ = try succeed(run(reference))
        try runKilled(run(out), partial: dir.appendingPathComponent(".skips.partial"), afterBatches: 150, extra: 0.001)
        _ = try succeed(run(out) + ["--resume"])
        #expect(try files(out) == files(reference))
        let manifestOut = try #require(try SetManifest.verified(in: out)), manifestReference = try #require(try SetManifest.verified(in: reference))
        #expect(manifestOut.extraction?.skipped.count == 218)
        #expect(manifestOut.extraction?.skipped == manifestReference.extraction?.skipped)
    }

    @Test func fourShardsInParallelMergeIntoTheSingleRunsBytes() throws {
        let single = dir.appendingPathComponent("single"), shards = dir.appendingPathComponent("shards")
        _ = try succeed(embed(single))
        // Four processes at once: two told by --shard, one by a Slurm array's variables, one by an Indexed Job's.
        let environments: [([String], [String: String])] = [
            (["--shard", "0/4"], [:]), (["--shard", "1/4"], [:]),
            ([], ["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "4"]),
            (["--shards", "4"], ["JOB_COMPLETION_INDEX": "3"]),
        ]
        let processes = try environments.enumerated().map { index, setting -> Process in
            let process = Process()
            process.executableURL = TestPaths.embevalBinary
            process.arguments = embed(shards.appendingPathComponent("shard-\(index)")) + setting.0
            process.environment = ProcessInfo.processInfo.environment.merging(setting.1) { $1 }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        for process in processes { process.waitUntilExit(); #expect(process.terminationStatus == 0) }
        let merged = dir.appendingPathComponent("merged")
        #expect(try succeed(["merge", shards.path, "--output", merged.path]).contains("from 4 shards"))
        #expect(try files(merged) == files(single))
        let record = try #require(try SetManifest.verified(in: merged)?.extraction)
        #expect(record.mergedFrom?.map(\.index) == [0, 1, 2, 3])
        #expect(record.mergedFrom?.map(\.start) == [0, 480, 992, 1504])

        // kNN over the shard folders (a folder of them, or listed) equals kNN over the single set, and the report
        // says which shards it read.
        let one = try knnResults(["--embeddings", single.path])
        #expect(try knnResults(["--embeddings", shards.path]) == one)
        let listed = (0..<4).reversed().flatMap { ["--embeddings", shards.appendingPathComponent("shard-\($0)").path] }
        #expect(try knnResults(listed) == one)
        let json = dir.appendingPathComponent("merged.json")
        _ = try succeed(["knn", "--embeddings", merged.path, "--json", json.path])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
        let extraction = try #require((report["model"] as? [String: Any])?["extraction"] as? [String: Any])
        #expect((extraction["merged_from"] as? [[String: Any]])?.count == 4)

        // kNN sharded over queries (leave-one-out and train-test) votes to the same accuracies.
        let neighbours = dir.appendingPathComponent("neighbours")
        for i in 0..<3 {
            _ = try succeed(["knn", "--embeddings", single.path, "--k", "5,20", "--shard", "\(i)/3",
                             "--neighbours-output", neighbours.appendingPathComponent("\(i)").path])
        }
        #expect(try knnResults(["--embeddings", single.path, "--k", "5,20", "--merge-neighbours", neighbours.path])
                == knnResults(["--embeddings", single.path, "--k", "5,20"]))
        let trainTest = ["--embeddings", shards.appendingPathComponent("shard-3").path, "--train-embeddings", merged.path,
                         "--protocol", "train-test", "--k", "10"]
        let trainNeighbours = dir.appendingPathComponent("train-neighbours")
        for i in 0..<2 {
            _ = try succeed(["knn"] + trainTest + ["--shard", "\(i)/2", "--neighbours-output", trainNeighbours.appendingPathComponent("\(i)").path])
        }
        #expect(try knnResults(trainTest + ["--merge-neighbours", trainNeighbours.path]) == knnResults(trainTest))

        // Shards that are not one whole run are refused, naming the shard.
        let pixels = dir.appendingPathComponent("pixels-2")
        _ = try succeed(["embed", "-m", "pixels", "--dataset", "fashion-mnist", "--samples", "2000", "--batch-size", "32",
                         "--shard", "2/4", "--output", pixels.path])
        let shard = { (i: Int) in shards.appendingPathComponent("shard-\(i)").path }
        for (arguments, message) in [
            ([shard(0), shard(1), shard(3)], "shard 2/4 is missing"),
            ([shard(0), shard(1), shard(1), shard(2), shard(3)], "is shard 1/4, as is"),
            ([shard(0), shard(1), pixels.path, shard(3)], "'\(pixels.path)': made with another model"),
            ([single.path], "a whole set, not a shard"),
        ] {
            let r = try runEmbeval(["merge"] + arguments + ["--output", dir.appendingPathComponent("refused").path])
            #expect(r.code == 2 && r.err.contains(message) && r.err.split(separator: "\n").count == 1, "\(r.err)")
            if arguments.count > 1 {
                let k = try runEmbeval(["knn"] + arguments.flatMap { ["--embeddings", $0] })
                #expect(k.code == 2 && k.err.contains(message), "\(k.err)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("refused").path))
        // The output may not be one of the shards it reads, nor inside one: shard 1 was replaced by the merged set.
        let before = try files(URL(fileURLWithPath: shard(1)))
        for output in [shard(1), shard(1) + "/merged", shards.path + "/./shard-1"] {
            let r = try runEmbeval(["merge", shards.path, "--output", output])
            #expect(r.code == 2 && r.err.contains("cannot write '\(output)': it is, or is inside, the shard '\(shard(1))' this merge reads; choose a folder outside the shards"), "\(r.err)")
            #expect(try files(URL(fileURLWithPath: shard(1))) == before)
        }
        let partialNeighbours = try runEmbeval(["knn", "--embeddings", single.path, "--k", "5,20", "--merge-neighbours",
                                               neighbours.appendingPathComponent("0").path, neighbours.appendingPathComponent("2").path])
        #expect(partialNeighbours.code == 2 && partialNeighbours.err.contains("shard 1/3 is missing"), "\(partialNeighbours.err)")
        let otherK = try runEmbeval(["knn", "--embeddings", single.path, "--k", "30", "--merge-neighbours", neighbours.path])
        #expect(otherK.code == 2 && otherK.err.contains("kept 20 neighbours per query"), "\(otherK.err)")
        // A shard manifest edited to a range that runs backwards is refused by name, not trapped on (end − start).
        let tampered = dir.appendingPathComponent("tampered-neighbours")
        try FileManager.default.copyItem(at: neighbours, to: tampered)
        for (i, field) in [(1, "end"), (2, "start")] {
            let file = tampered.appendingPathComponent("\(i)/manifest.json")
            var manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
            var record = try #require(manifest["neighbours"] as? [String: Any]), range = try #require(record["shard"] as? [String: Any])
            range[field] = Int.min
            record["shard"] = range
            manifest["neighbours"] = record
            try JSONSerialization.data(withJSONObject: manifest).write(to: file)
        }
        let backwards = try runEmbeval(["knn", "--embeddings", single.path, "--k", "5,20", "--merge-neighbours", tampered.path])
        #expect(backwards.code == 2 && backwards.err.contains(tampered.appendingPathComponent("1").path)
                && backwards.err.split(separator: "\n").count == 1, "\(backwards.err)")
    }

    @Test func severalPoolingsShardMergeAndReadBackPerPooling() throws {
        let model = TestPaths.fixture("models/vit-tiny").path, images = TestPaths.fixture("models/images").path
        let run = { (out: URL, extra: [String]) in
            ["embed", "-m", model, "--dataset", images, "--pooling", "cls,mean", "--batch-size", "2", "--output", out.path] + extra
        }
        let single = dir.appendingPathComponent("pooled"), shards = dir.appendingPathComponent("pooled-shards")
        _ = try succeed(run(single, []))
        for i in 0..<2 { _ = try succeed(run(shards.appendingPathComponent("\(i)"), ["--shard", "\(i)/2"])) }
        let merged = dir.appendingPathComponent("pooled-merged")
        _ = try succeed(["merge", shards.path, "--output", merged.path])
        for pooling in ["cls", "mean"] {
            #expect(try files(merged.appendingPathComponent(pooling)) == files(single.appendingPathComponent(pooling)))
        }
        // Read back, a folder of several poolings gives a row per pooling: the model run's.
        let fromModel = try knnResults(["-m", model, "--dataset", images, "--pooling", "cls,mean", "--k", "2"])
        #expect(fromModel.map { $0["pooling"] } == ["cls", "mean"])
        #expect(try knnResults(["--embeddings", merged.path, "--k", "2"]) == fromModel)
        #expect(try knnResults(["--embeddings", shards.path, "--k", "2"]) == fromModel)
    }

    /// The results of `knn` (pooling, k, accuracies) as its JSON gives them.
    func knnResults(_ arguments: [String]) throws -> [[String: String]] {
        let r = try runEmbeval(["knn"] + arguments + ["--json", "-"])
        #expect(r.code == 0, "\(r.err)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        return (object["results"] as? [[String: Any]] ?? []).map { $0.mapValues { "\($0)" } }
    }

    /// Bad shard settings: one line, exit code 2, nothing written.
    @Test(arguments: [
        (["--shard", "4/4"], [String: String](), "the shard index must be between 0 and 3"),
        (["--shard", "one"], [:], "expected INDEX/COUNT"),
        (["--shards", "4"], [:], "needs this process's shard"),
        ([], ["SLURM_ARRAY_TASK_ID": "1"], "pass --shards N"),
        (["--shards", "2"], ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "4"], "disagree"),
        (["--shard", "0/200"], [:], "too few for 200 shards"),
    ])
    func badShardSettingsAreOneLine(arguments: [String], environment: [String: String], message: String) throws {
        let out = dir.appendingPathComponent("bad-\(UUID().uuidString.prefix(6))")
        let r = try runEmbeval(["embed", "-m", "pixels", "--dataset", "fashion-mnist", "--samples", "300", "--output", out.path] + arguments,
                               environment: environment)
        #expect(r.code == 2)
        #expect(r.err.hasPrefix("error: ") && r.err.contains(message), "\(r.err)")
        #expect(r.err.split(separator: "\n").count == 1, "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    /// A shard record edited to an impossible place (a count below 1, an index past the count, a range that runs
    /// backwards) is refused by `merge`, by `knn` over the shard and by `knn --merge-neighbours`, naming the manifest,
    /// in one line: a count of −1 trapped on `0..<count` (signal 4) before.
    @Test(arguments: [
        (["count": -1], "the shard count must be between 1 and"),
        (["index": 7], "the shard index must be between 0 and 1"),
        (["start": 50, "end": 10], "runs backwards"),
    ])
    func aShardRecordOutOfRangeIsRefused(edit: [String: Int], message: String) throws {
        let case_ = dir.appendingPathComponent("tampered-\(UUID().uuidString.prefix(6))")
        let shard = case_.appendingPathComponent("shard"), whole = case_.appendingPathComponent("whole")
        let neighbours = case_.appendingPathComponent("neighbours")
        _ = try succeed(["embed", "-m", "pixels", "--dataset", "fashion-mnist", "--samples", "100", "--batch-size", "32",
                         "--shard", "0/2", "--output", shard.path])
        _ = try succeed(["embed", "-m", "pixels", "--dataset", "fashion-mnist", "--samples", "100", "--output", whole.path])
        _ = try succeed(["knn", "--embeddings", whole.path, "--k", "5", "--shard", "0/2", "--neighbours-output", neighbours.path])
        for (folder, key) in [(shard, "extraction"), (neighbours, "neighbours")] {
            let file = folder.appendingPathComponent("manifest.json")
            var manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
            var record = try #require(manifest[key] as? [String: Any]), range = try #require(record["shard"] as? [String: Any])
            for (field, value) in edit { range[field] = value }
            record["shard"] = range
            manifest[key] = record
            try JSONSerialization.data(withJSONObject: manifest).write(to: file)
        }
        let output = case_.appendingPathComponent("merged")
        for arguments in [["merge", shard.path, "--output", output.path], ["knn", "--embeddings", shard.path],
                          ["knn", "--embeddings", whole.path, "--k", "5", "--merge-neighbours", neighbours.path]] {
            let r = try runEmbeval(arguments)
            #expect(r.code == 2 && r.err.hasPrefix("error: ") && r.err.contains(message), "\(arguments): \(r.err)")
            #expect(r.err.contains("manifest.json") && r.err.split(separator: "\n").count == 1, "\(arguments): \(r.err)")
        }
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    /// Neighbour shards whose lists were damaged after `knn --shard` wrote them were voted on: NaN or −inf
    /// similarities, a query listed as its own neighbour under leave-one-out, a reference listed twice, or a list out
    /// of order each printed an accuracy (84 % for the self-listing, against 68 %). Each is refused, naming the file
    /// and the row.
    @Test(arguments: ["nan", "self", "twice", "unsorted"])
    func damagedNeighbourShardsAreRefused(damage: String) throws {
        let case_ = dir.appendingPathComponent("neighbours-\(damage)"), set = case_.appendingPathComponent("set")
        _ = try succeed(["embed", "-m", "pixels", "--image-size", "4", "--dataset", "fashion-mnist", "--samples", "200", "--output", set.path])
        for i in 0..<2 {
            _ = try succeed(["knn", "--embeddings", set.path, "--k", "10", "--shard", "\(i)/2",
                             "--neighbours-output", case_.appendingPathComponent("n/\(i)").path])
        }
        let shard = case_.appendingPathComponent("n/1"), row = 7
        let indicesFile = shard.appendingPathComponent("indices.npy"), similaritiesFile = shard.appendingPathComponent("similarities.npy")
        let start = try #require(try SetManifest.verified(in: shard)?.neighbours?.shard.start)
        var indices = try NumpyArray.readIntegerMatrix(at: indicesFile), similarities = try NumpyArray.readMatrix(at: similaritiesFile)
        let k = indices.columns
        switch damage {
        case "nan": similarities.values[row * k + 2] = .nan
        case "self": indices.values[row * k] = start + row
        case "twice": indices.values[row * k + 3] = indices.values[row * k + 1]
        default: similarities.values.swapAt(row * k + 1, row * k + 4); similarities.values[row * k + 1] -= 0.5
        }
        try NumpyArray.write(integers: indices.values, rows: indices.rows, columns: k, to: indicesFile)
        try NumpyArray.write(similarities, to: similaritiesFile)
        let r = try runEmbeval(["knn", "--embeddings", set.path, "--k", "10", "--merge-neighbours", case_.appendingPathComponent("n").path])
        let file = damage == "nan" || damage == "unsorted" ? similaritiesFile : indicesFile
        #expect(r.code == 2 && r.err.contains("'\(file.path)' row \(row)") && r.err.split(separator: "\n").count == 1, "\(r.err)")
    }

    /// A shard whose rows were damaged after `embed` wrote them (a NaN or an infinity, which no run writes) was merged
    /// byte for byte into a set that every later command refused on load; `merge` now refuses it, naming the shard's
    /// file, the row and its sample, and writes nothing.
    @Test(arguments: [("float32", [UInt8]([0x00, 0x00, 0xc0, 0x7f])), ("float16", [0x00, 0x7c])])
    func aShardHoldingNaNOrInfIsNotMerged(dtype: String, value: [UInt8]) throws {
        let case_ = dir.appendingPathComponent("poisoned-\(dtype)"), output = case_.appendingPathComponent("merged")
        for i in 0..<2 {
            _ = try succeed(["embed", "-m", "pixels", "--image-size", "4", "--dataset", "fashion-mnist", "--samples", "100",
                             "--dtype", dtype, "--shard", "\(i)/2", "--output", case_.appendingPathComponent("\(i)").path])
        }
        let npy = case_.appendingPathComponent("1/embeddings.npy")
        let ids = try String(contentsOf: case_.appendingPathComponent("1/ids.txt"), encoding: .utf8).split(separator: "\n")
        var bytes = try Data(contentsOf: npy)
        let rowBytes = (bytes.count - 128) / ids.count, at = 128 + 30 * rowBytes + 3 * value.count
        bytes.replaceSubrange(at..<(at + value.count), with: value)
        try bytes.write(to: npy)
        let r = try runEmbeval(["merge", case_.appendingPathComponent("0").path, case_.appendingPathComponent("1").path, "--output", output.path])
        #expect(r.code == 2 && r.err.hasPrefix("error: '\(npy.path)' row 30 (sample '\(ids[30])'): holds NaN or Inf")
                && r.err.split(separator: "\n").count == 1, "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    /// A shard manifest whose pooling is named `..` made `merge` write that pooling's files one folder up, beside the
    /// output, over the user's own `embeddings.npy` and `ids.txt`. Such a record is refused, and nothing is written.
    @Test func aPoolingThatNamesNoFolderInsideTheSetIsRefused() throws {
        let model = TestPaths.fixture("models/vit-tiny").path, images = TestPaths.fixture("models/images").path
        let case_ = dir.appendingPathComponent("pooling-dotdot"), shards = case_.appendingPathComponent("shards")
        for i in 0..<2 {
            _ = try succeed(["embed", "-m", model, "--dataset", images, "--pooling", "cls,mean", "--batch-size", "2",
                             "--shard", "\(i)/2", "--output", shards.appendingPathComponent("s\(i)").path])
            let file = shards.appendingPathComponent("s\(i)/manifest.json")
            var manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
            var record = try #require(manifest["extraction"] as? [String: Any])
            record["poolings"] = ["..", "mean"]
            manifest["extraction"] = record
            try JSONSerialization.data(withJSONObject: manifest).write(to: file)
        }
        // What `..` pointed at from each shard: a pooling's files, so that the merge had something to copy.
        for name in Self.setFiles {
            try FileManager.default.copyItem(at: shards.appendingPathComponent("s0/cls/\(name)"), to: shards.appendingPathComponent(name))
        }
        let usersFiles = ["embeddings.npy": "the user's embeddings", "ids.txt": "the user's ids"]
        for (name, text) in usersFiles { try Data(text.utf8).write(to: case_.appendingPathComponent(name)) }
        let output = case_.appendingPathComponent("merged")
        for arguments in [["merge", shards.path, "--output", output.path], ["knn", "--embeddings", shards.appendingPathComponent("s0").path,
                                                                      "--embeddings", shards.appendingPathComponent("s1").path]] {
            let r = try runEmbeval(arguments)
            #expect(r.code == 2 && r.err.contains("extraction.poolings") && r.err.contains("names no folder inside the set"),
                    "\(arguments): \(r.err)")
            #expect(r.err.split(separator: "\n").count == 1, "\(r.err)")
        }
        for (name, text) in usersFiles {
            #expect(try String(contentsOf: case_.appendingPathComponent(name), encoding: .utf8) == text, "\(name) was overwritten")
        }
        #expect(!FileManager.default.fileExists(atPath: output.path))
        #expect(!FileManager.default.fileExists(atPath: case_.appendingPathComponent("manifest.json").path))
    }

    @Test func aKNNShardNeedsAnOutputAndEmbeddings() throws {
        let (m, labels) = clusteredEmbeddings(rows: 60, columns: 4, classes: 3, seed: 2)
        let e = dir.appendingPathComponent("e.npy"), l = dir.appendingPathComponent("l.npy")
        try NumpyArray.write(m, to: e)
        try NumpyArray.write(labels: labels, to: l)
        let noOutput = try runEmbeval(["knn", "--embeddings", e.path, "--labels", l.path], environment: ["SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "2"])
        #expect(noOutput.code == 2 && noOutput.err.contains("give --neighbours-output DIR"), "\(noOutput.err)")
        let model = try runEmbeval(["knn", "-m", "pixels", "--dataset", "fashion-mnist", "--shard", "0/2", "--neighbours-output", dir.path + "/n"])
        #expect(model.code == 2 && model.err.contains("searches precomputed embeddings"), "\(model.err)")
    }
}
