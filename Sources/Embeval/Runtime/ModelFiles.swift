import Foundation

/// Where a model's files are: the .onnx graph plus, for a Hugging Face optimum export directory, its
/// config.json / preprocessor_config.json / tokenizer files. A bare .onnx file also picks up such siblings; with a
/// hub id (`--model-id owner/name`), side files found nowhere beside the model come from that repository's snapshot in
/// the local Hugging Face hub cache.
public struct ModelFiles: Equatable, Sendable {
    /// The ONNX graph to load.
    public var model: URL
    /// `config.json` next to the model (or in the hub snapshot), when present.
    public var config: URL?
    /// `preprocessor_config.json` next to the model (or in the hub snapshot), when present.
    public var preprocessorConfig: URL?
    /// `tokenizer.json` next to the model (or in the hub snapshot), when present.
    public var tokenizer: URL?
    /// The hub repository side files were looked for in, when a hub id was given.
    public var hub: HubModelLookup?

    public init(model: URL, config: URL? = nil, preprocessorConfig: URL? = nil, tokenizer: URL? = nil, hub: HubModelLookup? = nil) {
        self.model = model
        self.config = config
        self.preprocessorConfig = preprocessorConfig
        self.tokenizer = tokenizer
        self.hub = hub
    }

    /// The folder a tokenizer is read from: the model's own when it holds `tokenizer.json` or `spiece.model`, else the
    /// hub snapshot when that does, else the model's (whose tokenizer error then names it).
    public var tokenizerDirectory: URL {
        let own = model.deletingLastPathComponent()
        if Self.holdsTokenizer(own) { return own }
        if let snapshot = hub?.snapshot, Self.holdsTokenizer(snapshot) { return snapshot }
        return own
    }

    static func holdsTokenizer(_ folder: URL) -> Bool {
        ["tokenizer.json", "tokenizer.json.gz", "spiece.model"].contains { FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path) }
    }

    /// Resolves a user-given path: a .onnx file, or a directory holding `model.onnx` (also `onnx/model.onnx`,
    /// or a single `*.onnx`). Side files are looked up next to the model, then in the given directory, then — with
    /// `hubID` — in `models--owner--name/snapshots/<refs/main>/` of the hub cache.
    public static func resolve(_ path: String, hubID: String? = nil, cache: HubCache = HubCache()) throws(RuntimeError) -> ModelFiles {
        let fileManager = FileManager.default
        let url = URL(fileURLWithPath: path).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw RuntimeError.modelNotFound(path: path, reason: "no such file or directory")
        }
        let model: URL
        var searchDirectories: [URL]
        if isDirectory.boolValue {
            let preferred = [url.appendingPathComponent("model.onnx"),
                             url.appendingPathComponent("onnx").appendingPathComponent("model.onnx")]
            if let found = preferred.first(where: { fileManager.fileExists(atPath: $0.path) }) {
                model = found
            } else {
                let onnxFiles = ((try? fileManager.contentsOfDirectory(atPath: url.path)) ?? [])
                    .filter { $0.hasSuffix(".onnx") }.sorted()
                guard onnxFiles.count == 1 else {
                    let reason = onnxFiles.isEmpty
                        ? "the directory has no model.onnx"
                        : "the directory has no model.onnx and several .onnx files (\(onnxFiles.joined(separator: ", "))); name one"
                    throw RuntimeError.modelNotFound(path: path, reason: reason)
                }
                model = url.appendingPathComponent(onnxFiles[0])
            }
            searchDirectories = [model.deletingLastPathComponent(), url]
        } else {
            model = url
            searchDirectories = [url.deletingLastPathComponent()]
        }
        if searchDirectories.count == 2 && searchDirectories[0] == searchDirectories[1] { searchDirectories.removeLast() }

        var hub: HubModelLookup? = nil
        if let hubID, HubCache.isRepositoryID(hubID) {
            let snapshot = cache.snapshot(of: hubID, kind: .model)
            hub = HubModelLookup(id: hubID, snapshot: snapshot, lookedIn: cache.lookedIn(hubID, kind: .model, revision: nil))
            if let snapshot { searchDirectories.append(snapshot) }
        }

        func sibling(_ name: String) -> URL? {
            searchDirectories.map { $0.appendingPathComponent(name) }
                .first { fileManager.fileExists(atPath: $0.path) }
        }
        return ModelFiles(model: model, config: sibling("config.json"),
                          preprocessorConfig: sibling("preprocessor_config.json"), tokenizer: sibling("tokenizer.json"), hub: hub)
    }

    /// Lowercase hex SHA-256 of the model file (recorded in reports so runs can be reproduced).
    public func sha256() throws -> String {
        try SHA256.hex(ofFile: model)
    }

    /// The parsed `config.json`, or nil when there is none.
    public func loadConfig() throws(RuntimeError) -> ModelConfig? {
        guard let config else { return nil }
        return try ModelConfig.load(from: config)
    }
}

/// A model's Hugging Face hub id and what the local hub cache holds for it.
public struct HubModelLookup: Equatable, Sendable {
    /// `owner/name`, as given with `--model-id`.
    public var id: String
    /// `models--owner--name/snapshots/<refs/main>`, when the cache holds it.
    public var snapshot: URL?
    /// Where it was looked for, for messages.
    public var lookedIn: String

    public init(id: String, snapshot: URL?, lookedIn: String) {
        self.id = id
        self.snapshot = snapshot
        self.lookedIn = lookedIn
    }
}
