import Foundation

/// A sentence with a `{}` where the class name goes, e.g. "a photo of a {}." (CLIP's prompt engineering).
public struct PromptTemplate: Equatable, Sendable {
    public let text: String

    /// The Hugging Face zero-shot pipeline's default hypothesis template.
    public static let pipelineDefault = try! PromptTemplate("This is a photo of {}.")

    public init(_ text: String) throws {
        guard text.contains("{}") else {
            throw EmbevalError.usage("template '\(text)' has no {} where the class name goes")
        }
        self.text = text
    }

    /// The prompt for one class: every `{}` replaced by the name.
    public func prompt(for className: String) -> String {
        text.replacingOccurrences(of: "{}", with: className)
    }

    /// One template per non-empty line of a text file.
    public static func load(from url: URL) throws -> [PromptTemplate] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw EmbevalError.input("cannot read templates file '\(url.path)'")
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).enumerated()
            .filter { !$0.element.trimmingCharacters(in: .whitespaces).isEmpty }
        guard !lines.isEmpty else { throw EmbevalError.input("templates file '\(url.path)' holds no template") }
        return try lines.map { i, line in
            do { return try PromptTemplate(line) } catch {
                throw EmbevalError.input("templates file '\(url.path)' line \(i + 1): '\(line)' has no {} where the class name goes")
            }
        }
    }
}

/// Class names checked for use as zero-shot labels: non-empty and distinct.
public enum ClassNames {
    public static func validated(_ names: [String], source: String) throws -> [String] {
        guard !names.isEmpty else { throw EmbevalError.input("\(source): the class list is empty") }
        var seen = [String: Int]()
        for (i, name) in names.enumerated() {
            if name.trimmingCharacters(in: .whitespaces).isEmpty {
                throw EmbevalError.input("\(source): class \(i) has an empty name")
            }
            if let first = seen[name] {
                throw EmbevalError.input("\(source): duplicate class name '\(name)' (classes \(first) and \(i))")
            }
            seen[name] = i
        }
        return names
    }

    /// One class name per non-empty line; line order = label id.
    public static func load(from url: URL) throws -> [String] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw EmbevalError.input("cannot read class names file '\(url.path)'")
        }
        let names = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return try validated(names, source: "class names file '\(url.path)'")
    }
}
