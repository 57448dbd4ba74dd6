import Foundation

/// A sentence with a placeholder where the class name goes: `{}` as the Hugging Face pipeline writes it
/// ("a photo of a {}.", CLIP's prompt engineering), or `{c}` as CLIP_benchmark's templates files do
/// ("a bad photo of a {c}.").
public struct PromptTemplate: Equatable, Sendable {
    public let text: String

    /// The Hugging Face zero-shot pipeline's default hypothesis template.
    public static let pipelineDefault = PromptTemplate(checked: "This is a photo of {}.")

    /// The placeholders a class name replaces.
    static let placeholders = ["{}", "{c}"]

    public init(_ text: String) throws {
        guard Self.placeholders.contains(where: { text.contains($0) }) else {
            throw PromptError.noPlaceholder(template: text, file: nil, line: nil)
        }
        self.text = text
    }

    /// A template known to hold a placeholder.
    private init(checked text: String) { self.text = text }

    /// The prompt for one class: every `{}` and `{c}` replaced by the name, in one pass (a name that itself holds
    /// `{}` stays as it is).
    public func prompt(for className: String) -> String {
        var out = "", rest = text[...]
        while let brace = rest.firstIndex(of: "{") {
            out += rest[..<brace]
            rest = rest[brace...]
            if let placeholder = Self.placeholders.first(where: { rest.hasPrefix($0) }) {
                out += className
                rest = rest.dropFirst(placeholder.count)
            } else {
                out += "{"
                rest = rest.dropFirst()
            }
        }
        return out + rest
    }

    /// One template per non-empty line of a text file. Lines end in `\n` or `\r\n` (one `Character` in Swift, which
    /// a split on `"\n"` would not see: a CRLF file would be one template).
    public static func load(from url: URL) throws -> [PromptTemplate] {
        let text = try PromptError.readText(url, what: "templates file")
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init).enumerated()
            .filter { !$0.element.trimmingCharacters(in: .whitespaces).isEmpty }
        guard !lines.isEmpty else { throw PromptError.noTemplates(path: url.path) }
        return try lines.map { i, line in
            do { return try PromptTemplate(line) } catch {
                throw PromptError.noPlaceholder(template: line, file: url.path, line: i + 1)
            }
        }
    }
}

/// Class names checked for use as zero-shot labels: non-empty and distinct.
public enum ClassNames {
    public static func validated(_ names: [String], source: String) throws -> [String] {
        guard !names.isEmpty else { throw PromptError.invalidClassNames(source: source, reason: "the class list is empty") }
        var seen = [String: Int]()
        for (i, name) in names.enumerated() {
            if name.trimmingCharacters(in: .whitespaces).isEmpty {
                throw PromptError.invalidClassNames(source: source, reason: "class \(i) has an empty name")
            }
            if let first = seen[name] {
                throw PromptError.invalidClassNames(source: source, reason: "duplicate class name '\(name)' (classes \(first) and \(i))")
            }
            seen[name] = i
        }
        return names
    }

    /// One class name per non-empty line; line order = label id.
    public static func load(from url: URL) throws -> [String] {
        let text = try PromptError.readText(url, what: "class names file")
        let names = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return try validated(names, source: "class names file '\(url.path)'")
    }
}
