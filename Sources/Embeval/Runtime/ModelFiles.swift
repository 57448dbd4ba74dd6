import Foundation

/// Where a model's files are: the .onnx graph plus, for a Hugging Face optimum export directory, its
/// config.json / preprocessor_config.json / tokenizer.json. A bare .onnx file also picks up such siblings.
public struct ModelFiles: Equatable, Sendable {
    /// The ONNX graph to load.
    public var model: URL
    /// `config.json` next to the model, when present.
    public var config: URL?
    /// `preprocessor_config.json` next to the model, when present.
    public var preprocessorConfig: URL?
    /// `tokenizer.json` next to the model, when present.
    public var tokenizer: URL?

    public init(model: URL, config: URL? = nil, preprocessorConfig: URL? = nil, tokenizer: URL? = nil) {
        self.model = model
        self.config = config
        self.preprocessorConfig = preprocessorConfig
        self.tokenizer = tokenizer
    }

    /// Resolves a user-given path: a .onnx file, or a directory holding `model.onnx` (also `onnx/model.onnx`,
    /// or a single `*.onnx`). Side files are looked up next to the model, then in the given directory.
    public static func resolve(_ path: String) throws(RuntimeError) -> ModelFiles {
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

        func sibling(_ name: String) -> URL? {
            searchDirectories.map { $0.appendingPathComponent(name) }
                .first { fileManager.fileExists(atPath: $0.path) }
        }
        return ModelFiles(model: model, config: sibling("config.json"),
                          preprocessorConfig: sibling("preprocessor_config.json"), tokenizer: sibling("tokenizer.json"))
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
