import Foundation

/// A report a command writes with `--json`: Codable, so saved reports can be read back (by `compare`, `merge`, a
/// notebook), and encoded with its fields in reading order.
public protocol Report: Codable, Sendable {}

extension Report {
    /// The document written to disk: `schema_version` first, then the report's own fields at the top level, so the
    /// keys documented in the README stay where they are.
    public func document() throws -> JSONValue {
        let body = try JSONValueEncoder().encode(self)
        guard case .object(let fields) = body else { return body }
        return .object([("schema_version", .int(ReportSchema.version))] + fields)
    }

    /// Writes `document()` to `path` (`-` for standard output).
    public func write(to path: String) throws {
        try OutputFile(path).write(try document().serialized() + "\n")
    }

    /// Reads a report written by `write(to:)`; a newer schema than this version understands is refused.
    public static func read(from url: URL) throws -> Self {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw EvaluationError.unreadableReport(path: url.path, reason: "cannot read it")
        }
        do {
            let version = try JSONDecoder().decode(ReportSchema.self, from: data).schemaVersion
            guard version <= ReportSchema.version else {
                throw EvaluationError.unreadableReport(path: url.path, reason: "schema_version \(version) is newer than this Embeval reads (\(ReportSchema.version))")
            }
            return try JSONDecoder().decode(Self.self, from: data)
        } catch let error as EvaluationError {
            throw error
        } catch {
            throw EvaluationError.unreadableReport(path: url.path, reason: "not a \(Self.self) written by embeval (\(error))")
        }
    }
}

/// The version of the report layout; bumped when a key changes meaning or shape.
public struct ReportSchema: Codable, Sendable {
    public static let version = 1
    public var schemaVersion: Int
    enum CodingKeys: String, CodingKey { case schemaVersion = "schema_version" }
}

/// How long each stage took, in the order they ran; written as an object of seconds rounded to milliseconds.
public struct Timings: Codable, Sendable, Equatable {
    public var stages: [(name: String, seconds: Double)]

    public init(_ stages: [(name: String, seconds: Double)] = []) { self.stages = stages }

    public static func == (a: Timings, b: Timings) -> Bool {
        a.stages.map(\.name) == b.stages.map(\.name) && a.stages.map(\.seconds) == b.stages.map(\.seconds)
    }

    public mutating func append(_ name: String, _ seconds: Double) { stages.append((name, seconds)) }

    /// Runs `body`, recording its wall time as `name`.
    public mutating func measure<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        let start = Date()
        defer { stages.append((name, Date().timeIntervalSince(start))) }
        return try body()
    }

    /// `embedding 1.42s, knn 0.75s, total 2.29s`: from the milliseconds the JSON keeps, so a report read back prints
    /// the same line (0.4049 s is 0.405 there, and must print 0.41 both times).
    public var text: String {
        stages.map { String(format: "%@ %.2fs", $0.name, Self.milliseconds($0.seconds)) }.joined(separator: ", ")
    }

    static func milliseconds(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }

    /// The order stages run in, for reading a report back (JSON objects come back in no particular order).
    static let runOrder = ["text", "embedding", "embedding_train", "knn", "scoring", "total"]

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        func rank(_ name: String) -> Int { Self.runOrder.firstIndex(of: name) ?? Self.runOrder.count - 1 }
        stages = try c.allKeys.map { ($0.stringValue, try c.decode(Double.self, forKey: $0)) }
            .sorted { rank($0.0) != rank($1.0) ? rank($0.0) < rank($1.0) : $0.0 < $1.0 }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        for (name, seconds) in stages { try c.encode(Self.milliseconds(seconds), forKey: AnyCodingKey(name)) }
    }
}

/// The versions that made a report.
public struct Versions: Codable, Sendable, Equatable {
    public var embeval: String
    public init(embeval: String = EmbevalInfo.version) { self.embeval = embeval }
}

/// The library's version, recorded in every JSON report.
public enum EmbevalInfo {
    public static let version = "0.1.0"
}

/// A sample left out because its image could not be read (`--on-bad-image skip`).
public struct SkippedSample: Codable, Sendable, Equatable {
    public var id: String
    public var reason: String
    public init(id: String, reason: String) { self.id = id; self.reason = reason }
}
