import Foundation

/// Everything that can go wrong reading a tokenizer or preparing prompts; each description is one line naming the
/// file and what is wrong.
public enum TokenizerError: UserError, Equatable {
    /// A `tokenizer.json` (or its config) that is missing, unreadable or malformed.
    case tokenizerFile(path: String, reason: String)
    /// A SentencePiece model or SigLIP tokenizer file that is missing, unreadable or malformed.
    case modelFile(path: String, reason: String)
    /// A component of the tokenizer that Embeval does not implement.
    case unsupported(path: String, component: String)
    /// A setting that cannot be used (e.g. a maximum length below 1).
    case invalidSetting(String)

    public var description: String {
        switch self {
        case .tokenizerFile(let path, let reason): "tokenizer '\(path)': \(reason)"
        case .modelFile(let path, let reason): "\(path): \(reason)"
        case .unsupported(let path, let component): "tokenizer '\(path)': unsupported \(component)"
        case .invalidSetting(let reason): reason
        }
    }
}

/// Prompt templates and class names that cannot be used; each description is one line.
public enum PromptError: UserError, Equatable {
    /// A template without the `{}` where the class name goes; `file` and `line` when it came from a file.
    case noPlaceholder(template: String, file: String?, line: Int?)
    /// A templates or class-names file that cannot be read: `what` names it, `reason` says why.
    case unreadable(what: String, path: String, reason: String)
    /// A templates file without any template.
    case noTemplates(path: String)
    /// Class names that cannot label zero-shot classes: `source` names where they came from.
    case invalidClassNames(source: String, reason: String)

    public var description: String {
        switch self {
        case .noPlaceholder(let template, let file?, let line?):
            "templates file '\(file)' line \(line): '\(template)' has no {} (or {c}) where the class name goes"
        case .noPlaceholder(let template, _, _):
            "template '\(template)' has no {} (or {c}) where the class name goes"
        case .unreadable(let what, let path, let reason): "cannot read \(what) '\(path)': \(reason)"
        case .noTemplates(let path): "templates file '\(path)' holds no template"
        case .invalidClassNames(let source, let reason): "\(source): \(reason)"
        }
    }
}

extension PromptError {
    /// A small text file's contents, or the reason it cannot be had: missing, unreadable, or not UTF-8 (with the
    /// offset of the first bad byte).
    static func readText(_ url: URL, what: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            let reason = FileManager.default.fileExists(atPath: url.path) ? "not readable" : "no such file"
            throw PromptError.unreadable(what: what, path: url.path, reason: reason)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            let valid = String(decoding: data, as: UTF8.self).prefix { $0 != "\u{FFFD}" }.utf8.count
            throw PromptError.unreadable(what: what, path: url.path, reason: "not UTF-8 text (a bad byte near offset \(valid))")
        }
        return text
    }
}
