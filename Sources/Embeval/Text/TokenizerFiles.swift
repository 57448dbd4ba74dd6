import Foundation

/// A tokenizer as found on disk: `tokenizer.json` (plain or `.gz`), given directly or as a model directory, and
/// the `tokenizer_config.json` / `special_tokens_map.json` beside it (for `model_max_length` and the pad token).
public struct TokenizerFiles: @unchecked Sendable {
    /// The path the user gave.
    public var path: String
    /// The parsed tokenizer.json.
    public var json: TokenizerJSON
    /// tokenizer_config.json beside it, when present.
    public var config: [String: Any]?
    /// special_tokens_map.json beside it, when present.
    public var specialTokensMap: [String: Any]?

    /// Where a tokenizer.json lives for `path`: the file itself, or `tokenizer.json(.gz)` inside a directory;
    /// nil when there is none.
    public static func locate(_ path: String) -> URL? {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return nil }
        guard isDirectory.boolValue else { return url }
        for name in ["tokenizer.json", "tokenizer.json.gz"] {
            let candidate = url.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// Reads the tokenizer at `path`; a missing or malformed file is a one-line `TokenizerError`.
    public init(path: String) throws {
        self.path = path
        guard let url = Self.locate(path) else {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                throw TokenizerError.tokenizerFile(path: path, reason: "the directory has no tokenizer.json")
            }
            throw TokenizerError.tokenizerFile(path: path, reason: "no such file")
        }
        let bytes: [UInt8]
        do { bytes = try Gzip.contents(of: url) } catch {
            throw TokenizerError.tokenizerFile(path: url.path, reason: "cannot be read")
        }
        json = try TokenizerJSON(data: Data(bytes), path: url.path)
        let folder = url.deletingLastPathComponent()
        config = try Self.optionalObject(folder.appendingPathComponent("tokenizer_config.json"))
        specialTokensMap = try Self.optionalObject(folder.appendingPathComponent("special_tokens_map.json"))
    }

    /// `model_max_length` from tokenizer_config.json, ignoring transformers' "unlimited" placeholder (1e30).
    public var modelMaxLength: Int? {
        guard let value = jsonNumber(config?["model_max_length"])?.doubleValue, value > 0, value < 1e9 else {
            return nil
        }
        return Int(value)
    }

    /// A special token's text (`"pad_token"`, `"eos_token"`, …) from tokenizer_config.json, else
    /// special_tokens_map.json; both the plain string and the {"content": …} object forms.
    public func specialToken(_ key: String) -> String? {
        for source in [config, specialTokensMap] {
            if let text = source?[key] as? String { return text }
            if let object = source?[key] as? [String: Any], let text = object["content"] as? String { return text }
        }
        return nil
    }

    private static func optionalObject(_ url: URL) throws -> [String: Any]? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        guard let data = try? Data(contentsOf: url),
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        else { throw TokenizerError.tokenizerFile(path: url.path, reason: "not a readable JSON object") }
        return object
    }
}
