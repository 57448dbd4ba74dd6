import Foundation
import Testing
@testable import Embeval

/// The checks that used to live in each command and drifted apart now live once in the library's `Evaluation/`
/// layer. Each test here is one shared check, run through every command that goes through it (knn, zeroshot,
/// compare, check, explore — where it applies), and asserts the exit code and the stderr line each one gives.
/// `compare` runs with `--tolerance 100`: on these few samples a tighter band allows no verdict (INCONCLUSIVE).
@Suite(.serialized) struct SharedChecksTests {
    /// The commands that share the evaluation path.
    enum Command: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case knn, zeroshot, compare, check, explore
        var testDescription: String { rawValue }
    }

    /// Scratch inputs every test shares, made once: small image folders (one with a corrupt PNG), train/test
    /// splits, class-name files and precomputed embeddings.
    struct Inputs: Sendable {
        let root: URL
        /// 5 circles + 5 squares from the two-tower fixture (images of two sizes: pixels needs --image-size).
        let good: URL
        /// `good` plus the corrupt `circle/bad.png`.
        let bad: URL
        /// train/ (6 + 6) and test/ (3 + 3) splits of circles and squares.
        let trainTest: URL
        /// `trainTest` plus the corrupt `train/circle/badtrain.png`.
        let trainTestBad: URL
        /// train/ has circle and triangle, test/ circle and square.
        let trainTestMismatch: URL
        /// fit/ (6 + 6) and test/ (3 + 3): a train split by another name.
        let fitTest: URL
        /// `manifest.csv` in the root: columns `img` (paths relative to the root, into `good`) and `cls`.
        let manifest: URL
        /// One class name for the two classes of `good`; three names (one distractor).
        let fewerNames: URL
        let moreNames: URL
        /// 40×6 clustered embeddings with 2 classes, its labels, a copy with a NaN in row 3, the labels with -1 in
        /// row 5, and a collapsed space: 100 rows pointing one way, row 0 all zero.
        let embeddings: URL
        let labels: URL
        let nanEmbeddings: URL
        let negativeLabels: URL
        let collapsed: URL
        let collapsedLabels: URL

        var badImage: String { bad.appendingPathComponent("circle/bad.png").path }
        var badTrainImage: String { trainTestBad.appendingPathComponent("train/circle/badtrain.png").path }

        static func make() throws -> Inputs {
            let fm = FileManager.default
            let root = TestPaths.scratch("sharedchecks")
            let source = TestPaths.fixture("twotower/images")
            func folder(_ path: String, _ classes: [String: Range<Int>]) throws -> URL {
                let dir = root.appendingPathComponent(path)
                for (name, range) in classes {
                    let classDir = dir.appendingPathComponent(name)
                    try fm.createDirectory(at: classDir, withIntermediateDirectories: true)
                    for i in range {
                        let file = String(format: "%@_%03d.png", name, i)
                        try fm.copyItem(at: source.appendingPathComponent(name).appendingPathComponent(file),
                                        to: classDir.appendingPathComponent(file))
                    }
                }
                return dir
            }
            func garbage(_ url: URL) throws {
                var g = SeededGenerator(seed: 77)
                try Data((0..<300).map { _ in UInt8(truncatingIfNeeded: g.next()) }).write(to: url)
            }
            let good = try folder("good", ["circle": 0..<5, "square": 0..<5])
            _ = try folder("bad", ["circle": 0..<5, "square": 0..<5])
            let bad = root.appendingPathComponent("bad")
            try garbage(bad.appendingPathComponent("circle/bad.png"))
            for name in ["tt", "ttbad"] {
                _ = try folder("\(name)/train", ["circle": 0..<6, "square": 0..<6])
                _ = try folder("\(name)/test", ["circle": 10..<13, "square": 10..<13])
            }
            try garbage(root.appendingPathComponent("ttbad/train/circle/badtrain.png"))
            _ = try folder("ttmismatch/train", ["circle": 0..<6, "triangle": 0..<6])
            _ = try folder("ttmismatch/test", ["circle": 10..<13, "square": 10..<13])
            _ = try folder("ttfit/fit", ["circle": 0..<6, "square": 0..<6])
            _ = try folder("ttfit/test", ["circle": 10..<13, "square": 10..<13])
            let manifest = root.appendingPathComponent("manifest.csv")
            try (["img,cls"] + ["circle", "square"].flatMap { name in (0..<5).map { String(format: "good/%@/%@_%03d.png,%@", name, name, $0, name) } })
                .joined(separator: "\n").write(to: manifest, atomically: true, encoding: .utf8)

            let fewer = root.appendingPathComponent("names-fewer.txt"), more = root.appendingPathComponent("names-more.txt")
            try "circle\n".write(to: fewer, atomically: true, encoding: .utf8)
            try "circle\nsquare\ntriangle\n".write(to: more, atomically: true, encoding: .utf8)

            func url(_ name: String) -> URL { root.appendingPathComponent(name) }
            let (m, labels) = clusteredEmbeddings(rows: 40, columns: 6, classes: 2, seed: 17)
            try NumpyArray.write(m, to: url("e.npy"))
            try NumpyArray.write(labels: labels, to: url("l.npy"))
            var nan = m
            nan[3, 2] = .nan
            try NumpyArray.write(nan, to: url("nan.npy"))
            var negative = labels
            negative[5] = -1
            try NumpyArray.write(labels: negative, to: url("negative.npy"))
            var g = SeededGenerator(seed: 23)
            let direction: [Float] = [3, 1, 4, 1, 5, 9]
            var rows = (0..<100).map { _ in direction.map { $0 + Float(Double(g.next() % 1000) / 1000 - 0.5) * 0.1 } }
            rows[0] = [Float](repeating: 0, count: 6)
            try NumpyArray.write(Matrix(rowVectors: rows), to: url("collapsed.npy"))
            try NumpyArray.write(labels: (0..<100).map { $0 % 2 }, to: url("collapsed-labels.npy"))

            return Inputs(root: root, good: good, bad: bad, trainTest: url("tt"), trainTestBad: url("ttbad"),
                          trainTestMismatch: url("ttmismatch"), fitTest: url("ttfit"), manifest: manifest, fewerNames: fewer, moreNames: more,
                          embeddings: url("e.npy"), labels: url("l.npy"), nanEmbeddings: url("nan.npy"),
                          negativeLabels: url("negative.npy"), collapsed: url("collapsed.npy"),
                          collapsedLabels: url("collapsed-labels.npy"))
        }
    }

    static let inputs: Inputs = try! Inputs.make()
    var inputs: Inputs { Self.inputs }

    // MARK: - Building command lines

    static func twoTower(_ name: String, _ role: String) -> String { TestPaths.fixture("twotower/\(name)/\(role)").path }
    /// The 16-d CLIP towers as `-m`/`--baseline`/`--candidate` values.
    static let clipRoles = ["image-encoder=\(twoTower("clip", "image-encoder"))", "text-encoder=\(twoTower("clip", "text-encoder"))"]
    /// A 16-d image tower with a 32-d text tower: no shared space.
    static let mixedRoles = ["image-encoder=\(twoTower("clip", "image-encoder"))", "text-encoder=\(twoTower("siglip", "text-encoder"))"]

    static func repeated(_ flag: String, _ values: [String]) -> [String] { values.flatMap { [flag, $0] } }

    /// The raw-pixel baseline at one size (the fixture images come in two sizes).
    static let pixels = ["-m", "pixels", "--image-size", "16"]
    static let pixelPair = ["--baseline", "pixels", "--candidate", "pixels", "--image-size", "16"]

    /// A fresh output folder for explore, and the map options small inputs need.
    func exploreOptions() -> [String] {
        ["--method", "pca", "--pca-dims", "2", "--out", inputs.root.appendingPathComponent("explore-\(UUID().uuidString.prefix(8))").path]
    }

    /// An expectations file holding `entries`, written into the scratch root (relative paths resolve against it).
    func expectations(_ entries: [[String: Any]]) throws -> URL {
        let file = inputs.root.appendingPathComponent("expect-\(UUID().uuidString.prefix(8)).json")
        try JSONSerialization.data(withJSONObject: entries, options: [.sortedKeys]).write(to: file)
        return file
    }

    /// A knn entry on the pixel baseline that passes whatever it measures.
    static func knnEntry(dataset: String, _ extra: [String: Any] = [:]) -> [String: Any] {
        var entry: [String: Any] = ["model": "pixels", "task": "knn", "dataset": dataset, "metric": "top1_accuracy",
                                    "expected": 50, "tolerance": 100, "image_size": 16]
        for (key, value) in extra { entry[key] = value }
        return entry
    }

    /// A zero-shot entry on two-tower roles that passes whatever it measures.
    static func zeroShotEntry(roles: [String], dataset: String, _ extra: [String: Any] = [:]) -> [String: Any] {
        var byRole = [String: String]()
        for role in roles {
            let parts = role.split(separator: "=", maxSplits: 1).map(String.init)
            byRole[parts[0]] = parts[1]
        }
        var entry: [String: Any] = ["roles": byRole, "task": "zero-shot", "dataset": dataset, "metric": "top1_accuracy",
                                    "expected": 50, "tolerance": 100]
        for (key, value) in extra { entry[key] = value }
        return entry
    }

    // MARK: - Reading what came back

    typealias Run = (code: Int32, out: String, err: String)

    static func warnings(_ r: Run) -> [String] {
        r.err.split(separator: "\n").map(String.init).filter { $0.hasPrefix("warning: ") }
    }

    /// Exit code 2 and one `error:` line on stderr, the last, holding every fragment (warnings printed on the way,
    /// such as a side's health, may come before it).
    static func expectError(_ r: Run, _ fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.code == 2, "exit \(r.code); stdout: \(r.out.suffix(300)) stderr: \(r.err)", sourceLocation: sourceLocation)
        let lines = r.err.split(separator: "\n").map(String.init)
        let error = lines.last ?? ""
        #expect(error.hasPrefix("error: "), "the last stderr line is not the error: \(r.err)", sourceLocation: sourceLocation)
        #expect(lines.dropLast().allSatisfy { $0.hasPrefix("warning: ") }, "not one error line: \(r.err)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(error.contains(fragment), "the error lacks \"\(fragment)\": \(r.err)", sourceLocation: sourceLocation)
        }
    }

    /// Exit code 0 and, for each fragment, a `warning:` line holding it.
    static func expectWarnings(_ r: Run, _ fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.code == 0, "exit \(r.code); stderr: \(r.err)", sourceLocation: sourceLocation)
        let lines = warnings(r)
        for fragment in fragments {
            #expect(lines.contains { $0.contains(fragment) }, "no warning line with \"\(fragment)\"; stderr: \(r.err)",
                    sourceLocation: sourceLocation)
        }
    }

    static func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
    }

    // MARK: - 1. Towers of different widths

    @Test(arguments: [Command.zeroshot, .compare, .check])
    func towersOfDifferentWidthsAreRefused(command: Command) throws {
        let dataset = inputs.good.path
        let r: Run
        switch command {
        case .zeroshot:
            r = try runEmbeval(["zeroshot"] + Self.repeated("-m", Self.mixedRoles) + ["--dataset", dataset])
        case .compare:
            r = try runEmbeval(["compare", "--tolerance", "100", "--task", "zero-shot"] + Self.repeated("--baseline", Self.mixedRoles)
                               + Self.repeated("--candidate", Self.mixedRoles) + ["--dataset", dataset])
        case .check:
            r = try runEmbeval(["check", try expectations([Self.zeroShotEntry(roles: Self.mixedRoles, dataset: dataset)]).path])
        default:
            Issue.record("\(command) has no zero-shot task"); return
        }
        Self.expectError(r, ["image embeddings are 16-dimensional but text embeddings 32-dimensional"]
                         + (command == .check ? ["entry 0"] : []))
    }

    // MARK: - 2. Class-names files

    enum ClassNamesCase: String, CaseIterable, Sendable, CustomTestStringConvertible {
        /// One name for two classes: an error naming the file and both counts.
        case fewer
        /// Three names for two classes: a distractor warning.
        case more
        var testDescription: String { rawValue }
    }

    @Test(arguments: [Command.zeroshot, .compare, .check], ClassNamesCase.allCases)
    func classNamesFilesAreCheckedAgainstTheDataset(command: Command, names: ClassNamesCase) throws {
        let file = names == .fewer ? inputs.fewerNames : inputs.moreNames
        let dataset = inputs.good.path
        let r: Run
        switch command {
        case .zeroshot:
            r = try runEmbeval(["zeroshot"] + Self.repeated("-m", Self.clipRoles) + ["--dataset", dataset, "--classnames", file.path])
        case .compare:
            r = try runEmbeval(["compare", "--tolerance", "100", "--task", "zero-shot"] + Self.repeated("--baseline", Self.clipRoles)
                               + Self.repeated("--candidate", Self.clipRoles) + ["--dataset", dataset, "--classnames", file.path])
        case .check:
            // Relative: resolved against the expectations file's folder, so the message names the same file.
            r = try runEmbeval(["check", try expectations([Self.zeroShotEntry(roles: Self.clipRoles, dataset: dataset,
                                                                              ["classnames": file.lastPathComponent])]).path])
        default:
            Issue.record("\(command) takes no class names"); return
        }
        switch names {
        case .fewer:
            Self.expectError(r, ["class names file '\(file.path)' has 1 names", "has 2 classes"] + (command == .check ? ["entry 0"] : []))
        case .more:
            Self.expectWarnings(r, ["class names file '\(file.path)' has 1 more names than dataset", "distractor"])
        }
    }

    // MARK: - 3. Skipped images

    /// Each command that embeds images, and for kNN also through a train/test protocol whose train split holds
    /// the corrupt image.
    enum BadImageRoute: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case knn, knnTrainSet = "knn train-test", zeroshot, explore, compare, compareTrainSet = "compare train-test"
        case checkKNN = "check knn", checkTrainSet = "check knn train-test", checkZeroShot = "check zero-shot"
        /// The entry says nothing; `check --on-bad-image skip` is the default for such entries.
        case checkFlag = "check --on-bad-image"
        var testDescription: String { rawValue }
    }

    @Test(arguments: BadImageRoute.allCases, [BadImagePolicy.skip, .fail])
    func skippedImagesAreReportedNeverDroppedSilently(route: BadImageRoute, policy: BadImagePolicy) throws {
        let bad = inputs.bad.path, trainTest = inputs.trainTestBad.path
        let skip = policy == .skip ? ["--on-bad-image", "skip"] : []
        let entrySkip: [String: Any] = policy == .skip ? ["on_bad_image": "skip"] : [:]
        let trainTestEntry: [String: Any] = ["split": "test", "protocol": "train-test"]
        let arguments: [String]
        var (id, path) = ("circle/bad.png", inputs.badImage)
        var sides = [""]
        switch route {
        case .knn:
            arguments = ["knn"] + Self.pixels + ["--dataset", bad] + skip
        case .knnTrainSet:
            arguments = ["knn"] + Self.pixels + ["--dataset", trainTest, "--split", "test", "--protocol", "train-test"] + skip
        case .zeroshot:
            arguments = ["zeroshot"] + Self.repeated("-m", Self.clipRoles) + ["--dataset", bad] + skip
        case .explore:
            arguments = ["explore"] + Self.pixels + ["--dataset", bad] + exploreOptions() + skip
        case .compare:
            arguments = ["compare", "--tolerance", "100"] + Self.pixelPair + ["--dataset", bad] + skip
            sides = ["baseline: ", "candidate: "]
        case .compareTrainSet:
            arguments = ["compare", "--tolerance", "100"] + Self.pixelPair + ["--dataset", trainTest, "--split", "test", "--protocol", "train-test"] + skip
            sides = ["baseline: ", "candidate: "]
        case .checkKNN:
            arguments = ["check", try expectations([Self.knnEntry(dataset: bad, entrySkip)]).path]
        case .checkTrainSet:
            arguments = ["check", try expectations([Self.knnEntry(dataset: trainTest, trainTestEntry.merging(entrySkip) { $1 })]).path]
        case .checkZeroShot:
            arguments = ["check", try expectations([Self.zeroShotEntry(roles: Self.clipRoles, dataset: bad, entrySkip)]).path]
        case .checkFlag:
            arguments = ["check", try expectations([Self.knnEntry(dataset: bad)]).path] + skip
        }
        if [.knnTrainSet, .compareTrainSet, .checkTrainSet].contains(route) { (id, path) = ("circle/badtrain.png", inputs.badTrainImage) }

        let r = try runEmbeval(arguments)
        switch policy {
        case .skip:
            Self.expectWarnings(r, sides.map { "\($0)skipped '\(id)'" })
            #expect(Self.warnings(r).filter { $0.contains("skipped '\(id)'") }.allSatisfy { $0.contains("'\(path)'") },
                    "the warning should say why, naming the file: \(r.err)")
        case .fail:
            Self.expectError(r, ["'\(path)'"])
        }
    }

    // MARK: - 4. Embedding health

    enum Space: String, CaseIterable, Sendable, CustomTestStringConvertible {
        /// 100 rows pointing one way, one of them all zero: warnings, the run goes on.
        case collapsed
        /// A NaN in row 3: an error naming the row's id.
        case nanRow = "NaN row"
        var testDescription: String { rawValue }
    }

    @Test(arguments: [Command.knn, .compare, .explore], Space.allCases)
    func embeddingHealthReachesTheUser(command: Command, space: Space) throws {
        let (e, l) = space == .collapsed ? (inputs.collapsed.path, inputs.collapsedLabels.path)
                                         : (inputs.nanEmbeddings.path, inputs.labels.path)
        let r: Run
        switch command {
        case .knn: r = try runEmbeval(["knn", "--embeddings", e, "--labels", l])
        case .compare:
            // NaN on the baseline side only: the candidate is healthy.
            let candidate = space == .collapsed ? e : inputs.embeddings.path
            r = try runEmbeval(["compare", "--tolerance", "100", "--baseline-embeddings", e, "--candidate-embeddings", candidate, "--labels", l])
        case .explore: r = try runEmbeval(["explore", "--embeddings", e, "--labels", l] + exploreOptions())
        default: Issue.record("\(command) takes no precomputed embeddings"); return
        }
        switch space {
        case .collapsed: Self.expectWarnings(r, ["1 embedding row(s) are all zero", "collapsed"])
        case .nanRow: Self.expectError(r, ["NaN or Inf", "ids '3'"])
        }
    }

    // MARK: - 5. Negative labels

    enum LabelsRoute: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case knn = "knn --labels", knnTrain = "knn --train-labels", compare = "compare --labels", explore = "explore --labels"
        var testDescription: String { rawValue }
    }

    @Test(arguments: LabelsRoute.allCases)
    func negativeLabelsAreRefused(route: LabelsRoute) throws {
        let e = inputs.embeddings.path, l = inputs.negativeLabels.path
        let r: Run
        switch route {
        case .knn: r = try runEmbeval(["knn", "--embeddings", e, "--labels", l])
        case .knnTrain:
            r = try runEmbeval(["knn", "--embeddings", e, "--labels", inputs.labels.path, "--train-embeddings", e, "--train-labels", l,
                                "--protocol", "train-test"])
        case .compare: r = try runEmbeval(["compare", "--tolerance", "100", "--baseline-embeddings", e, "--candidate-embeddings", e, "--labels", l])
        case .explore: r = try runEmbeval(["explore", "--embeddings", e, "--labels", l] + exploreOptions())
        }
        Self.expectError(r, ["'\(l)' row 5: negative label -1"])
    }

    // MARK: - 6. Preprocessing overrides

    enum Override: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case imageSize = "image size 0", std = "std 0,1,1", mean = "mean of two values", resample = "resample cubicc"
        var testDescription: String { rawValue }
        var flags: [String] {
            switch self {
            case .imageSize: ["--image-size", "0"]
            case .std: ["--std", "0,1,1"]
            case .mean: ["--mean", "0.5,0.5"]
            case .resample: ["--resample", "cubicc"]
            }
        }
        var entry: [String: Any] {
            switch self {
            case .imageSize: ["image_size": 0]
            case .std: ["std": [0, 1, 1]]
            case .mean: ["mean": [0.5, 0.5]]
            case .resample: ["resample": "cubicc"]
            }
        }
        /// What the message must say, in every command.
        var fragments: [String] {
            switch self {
            case .imageSize: ["--image-size must be between 1 and 8192, got 0"]
            case .std: ["--std: expected three finite numbers > 0 (r,g,b), got [0.0, 1.0, 1.0]"]
            case .mean: ["--mean", "expected three", "numbers (r,g,b)"]
            case .resample: ["--resample 'cubicc': expected nearest, bilinear, bicubic, lanczos, box, hamming or Pillow's number 0–5"]
            }
        }
    }

    @Test(arguments: Command.allCases, Override.allCases)
    func badPreprocessingOverridesAreRefusedEverywhere(command: Command, override: Override) throws {
        let dataset = inputs.good.path
        let r: Run
        switch command {
        case .knn: r = try runEmbeval(["knn", "-m", "pixels", "--dataset", dataset] + override.flags)
        case .zeroshot: r = try runEmbeval(["zeroshot"] + Self.repeated("-m", Self.clipRoles) + ["--dataset", dataset] + override.flags)
        case .compare: r = try runEmbeval(["compare", "--tolerance", "100", "--baseline", "pixels", "--candidate", "pixels", "--dataset", dataset] + override.flags)
        case .explore: r = try runEmbeval(["explore", "-m", "pixels", "--dataset", dataset] + exploreOptions() + override.flags)
        case .check:
            var entry = Self.knnEntry(dataset: dataset)
            entry["image_size"] = nil
            r = try runEmbeval(["check", try expectations([entry.merging(override.entry) { $1 }]).path])
        }
        Self.expectError(r, override.fragments + (command == .check ? ["entry 0"] : []))
        // The flag and its value are named once, not repeated.
        if override == .resample {
            #expect(r.err.components(separatedBy: "--resample 'cubicc'").count - 1 == 1, "the flag is named twice: \(r.err)")
        }
    }

    /// The positive side: an override reaches the model and the provenance reports give (check's report names no
    /// preprocessing, so knn and compare show it).
    @Test(arguments: [Command.knn, .compare])
    func preprocessingOverridesReachTheModel(command: Command) throws {
        let model = TestPaths.fixture("models/vit-tiny").path, dataset = TestPaths.fixture("models/images").path
        let json = inputs.root.appendingPathComponent("pre-\(UUID().uuidString.prefix(8)).json").path
        let mean = ["--mean", "0.1,0.2,0.3"]
        let r: Run
        switch command {
        case .knn: r = try runEmbeval(["knn", "-m", model, "--dataset", dataset, "--json", json] + mean)
        case .compare: r = try runEmbeval(["compare", "--tolerance", "100", "--baseline", model, "--candidate", model, "--dataset", dataset, "--json", json] + mean)
        default: Issue.record("\(command) reports no model provenance"); return
        }
        #expect(r.code == 0, "\(r.err)")
        let report = try Self.json(json)
        for key in command == .knn ? ["model"] : ["baseline", "candidate"] {
            let preprocessing = (report[key] as? [String: Any])?["preprocessing"] as? [String: Any]
            #expect(preprocessing?["image_mean"] as? [Double] == [0.1, 0.2, 0.3], "\(key): \(String(describing: preprocessing))")
            #expect(preprocessing?["image_std"] as? [Double] == [0.5, 0.5, 0.5], "\(key): \(String(describing: preprocessing))")
        }
    }

    // MARK: - 7. Train/test protocol

    enum TrainCase: String, CaseIterable, Sendable, CustomTestStringConvertible {
        /// `--train-samples 4` of 12: the kNN sees 4 candidate neighbours.
        case trainSamples = "train samples 4"
        /// A train split with other classes than the test split.
        case mismatchedClasses = "mismatched classes"
        /// The train split named `fit` (`--train-split` / "train_split"); without it the folder's root would be
        /// taken, whose classes (fit, test) do not match.
        case trainSplitName = "train split fit"
        var testDescription: String { rawValue }
    }

    @Test(arguments: [Command.knn, .compare, .check], TrainCase.allCases)
    func trainTestProtocolIsHonoured(command: Command, train: TrainCase) throws {
        let dataset: String
        switch train {
        case .trainSamples: dataset = inputs.trainTest.path
        case .mismatchedClasses: dataset = inputs.trainTestMismatch.path
        case .trainSplitName: dataset = inputs.fitTest.path
        }
        let json = inputs.root.appendingPathComponent("tt-\(UUID().uuidString.prefix(8)).json").path
        var flags = ["--dataset", dataset, "--split", "test", "--protocol", "train-test", "--train-samples", "4", "--json", json]
        var entry: [String: Any] = ["split": "test", "protocol": "train-test", "train_samples": 4]
        if train == .trainSplitName {
            flags += ["--train-split", "fit"]
            entry["train_split"] = "fit"
        }
        let r: Run
        switch command {
        case .knn: r = try runEmbeval(["knn"] + Self.pixels + flags)
        case .compare: r = try runEmbeval(["compare", "--tolerance", "100"] + Self.pixelPair + flags)
        case .check: r = try runEmbeval(["check", try expectations([Self.knnEntry(dataset: dataset, entry)]).path])
        default: Issue.record("\(command) has no train/test protocol"); return
        }
        switch train {
        case .trainSamples, .trainSplitName:
            // The default k=20 of train-test is capped by the 4 train samples, whichever command ran the kNN.
            let sides = command == .compare ? ["baseline: ", "candidate: "] : [""]
            Self.expectWarnings(r, sides.map { "\($0)k=20 exceeds the 4 candidate neighbours; capped to k=4" })
            if command == .knn {
                let dataset = try Self.json(json)["dataset"] as? [String: Any]
                #expect(dataset?["train_samples"] as? Int == 4, "\(String(describing: dataset))")
                #expect(dataset?["train_split"] as? String == (train == .trainSplitName ? "fit" : "train"), "\(String(describing: dataset))")
            }
        case .mismatchedClasses:
            Self.expectError(r, ["train split 'train' has classes", "must match"] + (command == .check ? ["entry 0"] : []))
        }
    }

    // MARK: - 8. Dataset specs

    enum SpecCase: String, CaseIterable, Sendable, CustomTestStringConvertible {
        /// A class folder given by a relative path: runs.
        case folder
        /// `cifar10:REL` (no such batches): the error names the resolved absolute path.
        case cifar = "cifar10:REL"
        /// A .csv manifest with its own column names (`--column` / "columns"), image paths relative to it; the
        /// check entry names the manifest relative to its file.
        case manifest = "manifest with columns"
        var testDescription: String { rawValue }
    }

    /// Dataset specs open the same way in every command: relative paths resolve against the working directory on
    /// the command line (the tests run in the repository) and against the expectations file's folder in a check
    /// entry, for plain paths and `cifar10:` alike; manifest columns are mapped by `--column` and "columns" alike.
    @Test(arguments: Command.allCases, SpecCase.allCases)
    func datasetSpecsResolveTheSameWayEverywhere(command: Command, spec: SpecCase) throws {
        let base = command == .check ? inputs.root : TestPaths.repository
        let dataset: String
        switch spec {
        case .folder: dataset = command == .check ? "good" : "Tests/EmbevalTests/Fixtures/models/images"
        case .cifar: dataset = "cifar10:no-such-cifar"
        case .manifest: dataset = command == .check ? inputs.manifest.lastPathComponent : inputs.manifest.path
        }
        let columns = spec == .manifest ? ["--column", "input_column=img", "--column", "label_column=cls"] : []
        let entry: [String: Any] = spec == .manifest ? ["columns": ["input_column": "img", "label_column": "cls"]] : [:]
        let r: Run
        switch command {
        case .knn: r = try runEmbeval(["knn"] + Self.pixels + ["--dataset", dataset] + columns)
        case .zeroshot: r = try runEmbeval(["zeroshot"] + Self.repeated("-m", Self.clipRoles) + ["--dataset", dataset] + columns)
        case .compare: r = try runEmbeval(["compare", "--tolerance", "100"] + Self.pixelPair + ["--dataset", dataset] + columns)
        case .explore: r = try runEmbeval(["explore"] + Self.pixels + ["--dataset", dataset] + exploreOptions() + columns)
        case .check: r = try runEmbeval(["check", try expectations([Self.knnEntry(dataset: dataset, entry)]).path])
        }
        switch spec {
        case .folder, .manifest:
            #expect(r.code == 0, "exit \(r.code); stderr: \(r.err)")
        case .cifar:
            let batch = base.appendingPathComponent("no-such-cifar/test_batch.bin").path
            Self.expectError(r, ["cifar10 batch '\(batch)' not found"] + (command == .check ? ["entry 0"] : []))
        }
    }

    // MARK: - 9. Progress

    enum ProgressFlag: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case progress = "--progress", none = "(no flag)", noProgress = "--no-progress"
        var testDescription: String { rawValue }
        var flags: [String] { self == .none ? [] : [rawValue] }
    }

    @Test(arguments: Command.allCases, ProgressFlag.allCases)
    func progressFlagReachesTheBar(command: Command, flag: ProgressFlag) throws {
        let dataset = inputs.good.path
        let r: Run
        switch command {
        case .knn: r = try runEmbeval(["knn"] + Self.pixels + ["--dataset", dataset] + flag.flags)
        case .zeroshot: r = try runEmbeval(["zeroshot"] + Self.repeated("-m", Self.clipRoles) + ["--dataset", dataset] + flag.flags)
        case .compare: r = try runEmbeval(["compare", "--tolerance", "100"] + Self.pixelPair + ["--dataset", dataset] + flag.flags)
        case .explore: r = try runEmbeval(["explore"] + Self.pixels + ["--dataset", dataset] + exploreOptions() + flag.flags)
        case .check: r = try runEmbeval(["check", try expectations([Self.knnEntry(dataset: dataset)]).path] + flag.flags)
        }
        #expect(r.code == 0, "exit \(r.code); stderr: \(r.err)")
        let bar = r.err.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).filter { $0.contains("/s") && $0.contains("ETA") }
        if flag == .progress {
            #expect(!bar.isEmpty, "no progress line on stderr: \(r.err)")
        } else {
            #expect(bar.isEmpty && !r.err.contains("ETA"), "a progress line without --progress: \(r.err)")
        }
    }

    // MARK: - 10. Expectations files

    enum Misspelling: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case `protocol`, weighting, metric, task, unknownField = "protocl", onBadImage = "on_bad_image"
        var testDescription: String { rawValue }
        var field: String { rawValue }
        var entry: [String: Any] {
            switch self {
            case .protocol: ["protocol": "lo"]
            case .weighting: ["weighting": "expo"]
            case .metric: ["metric": "top1"]
            case .task: ["task": "knn2"]
            case .unknownField: ["protocl": "loo"]
            case .onBadImage: ["on_bad_image": "skp"]
            }
        }
        /// The misspelt value, which the message quotes (nil for the unknown field).
        var value: String? {
            switch self {
            case .protocol: "lo"
            case .weighting: "expo"
            case .metric: "top1"
            case .task: "knn2"
            case .unknownField: nil
            case .onBadImage: "skp"
            }
        }
    }

    @Test(arguments: Misspelling.allCases)
    func misspeltExpectationValuesNameTheEntryAndField(misspelling: Misspelling) throws {
        let file = try expectations([Self.knnEntry(dataset: inputs.good.path).merging(misspelling.entry) { $1 }])
        let r = try runEmbeval(["check", file.path])
        Self.expectError(r, ["'\(file.path)' entry 0", "field '\(misspelling.field)'"] + (misspelling.value.map { ["'\($0)'"] } ?? ["unknown field"]))
    }

    // MARK: - 11. Sample ids

    enum Alignment: String, CaseIterable, Sendable, CustomTestStringConvertible {
        /// Candidate rows embedded for --seed 1, compared on --seed 2's samples.
        case candidateOtherSeed = "candidate, other seed"
        /// Baseline rows embedded for --seed 1, compared on --seed 2's samples.
        case baselineOtherSeed = "baseline, other seed"
        /// Candidate rows embedded for the same samples.
        case sameSeed = "same seed"
        var testDescription: String { rawValue }
    }

    @Test(arguments: Alignment.allCases)
    func compareAlignsSidesBySampleID(alignment: Alignment) throws {
        let dataset = TestPaths.fixture("twotower/images").path
        let out = inputs.root.appendingPathComponent("embedded-\(UUID().uuidString.prefix(8))")
        let embedded = try runEmbeval(["embed"] + Self.pixels + ["--dataset", dataset, "--samples", "3", "--seed", "1", "--output", out.path])
        #expect(embedded.code == 0, "\(embedded.err)")
        let file = out.appendingPathComponent("embeddings.npy").path
        let seed = alignment == .sameSeed ? "1" : "2"
        let sides = alignment == .baselineOtherSeed ? ["--baseline-embeddings", file, "--candidate", "pixels"]
                                                    : ["--baseline", "pixels", "--candidate-embeddings", file]
        let r = try runEmbeval(["compare", "--tolerance", "100"] + sides + ["--image-size", "16", "--dataset", dataset, "--samples", "3", "--seed", seed])
        switch alignment {
        case .candidateOtherSeed, .baselineOtherSeed:
            Self.expectError(r, ["embeddings '\(file)' row", "the rows are other samples"])
        case .sameSeed:
            #expect(r.code == 0, "exit \(r.code); stderr: \(r.err)")
            #expect(r.out.contains("Verdict: PASS"), "\(r.out)")
        }
    }
}
