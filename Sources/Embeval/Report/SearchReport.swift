import Foundation

/// The outcome of `embeval search`: per query, its k most similar index rows by cosine, best first.
public struct SearchReport: Report {
    public struct Hit: Codable, Sendable, Equatable {
        public var rank: Int
        /// The row's id as `embed` wrote it (the image's path relative to the dataset root).
        public var id: String
        /// Cosine similarity of the L2-normalised query and row.
        public var score: Double
        /// The row's class name, when the index has labels.
        public var label: String?
    }

    public struct Result: Codable, Sendable {
        /// The image's path, the text, or the query row's id.
        public var query: String
        public var hits: [Hit]
    }

    /// What was searched: where, how many rows of which width and pooling, made by which model.
    public struct IndexSummary: Codable, Sendable {
        public var path: String
        public var rows: Int
        public var dimension: Int
        public var pooling: String?
        /// The model the manifest says made the rows; nil for another tool's file.
        public var model: String?
        /// The dataset the rows are of, as `embed` was given it.
        public var dataset: String?
        public var split: String?
    }

    public var task = "search"
    public var index: IndexSummary
    /// `image`, `text` or `embedding`.
    public var queryKind: String
    public var k: Int
    public var results: [Result]
    /// Search time per query, milliseconds (the exact search alone, embedding the queries aside).
    public var millisecondsPerQuery: Double
    public var timings: Timings
    public var versions = Versions()

    enum CodingKeys: String, CodingKey {
        case task, index, queryKind = "query_kind", k, results, millisecondsPerQuery = "ms_per_query", timings, versions
    }

    init(index: IndexSummary, queryKind: String, k: Int, results: [Result], timings: Timings) {
        self.index = index
        self.queryKind = queryKind
        self.k = k
        self.results = results
        self.timings = timings
        let search = timings.stages.first { $0.name == "search" }?.seconds ?? 0
        millisecondsPerQuery = results.isEmpty ? 0 : search * 1000 / Double(results.count)
    }

    /// The summary a person reads: the index, then one table of hits per query (the first `queries` of them).
    public func text(queries shown: Int = 20) -> String {
        var fields: [(String, String)] = [("Index", index.path), ("Rows", "\(index.rows) × \(index.dimension)")]
        if let pooling = index.pooling { fields.append(("Pooling", pooling)) }
        if let model = index.model { fields.append(("Made by", model)) }
        fields.append(("Queries", "\(results.count) (\(queryKind)), top \(k) by cosine"))
        fields.append(("Search", String(format: "%.3f ms per query", millisecondsPerQuery)))
        var lines = [TerminalTable.title("Search"), "", TerminalTable.fields(fields)]
        let labelled = results.contains { $0.hits.contains { $0.label != nil } }
        for result in results.prefix(shown) {
            let header = ["Rank", "Score", "Id"] + (labelled ? ["Class"] : [])
            let rows = result.hits.map { hit in
                [String(hit.rank), String(format: "%.4f", hit.score), hit.id] + (labelled ? [hit.label ?? ""] : [])
            }
            lines += ["", "\(queryKind == "text" ? "Text" : "Query"): \(result.query)",
                      TerminalTable.table(header: header, rows: rows, alignments: [.right, .right, .left, .left])]
        }
        if results.count > shown {
            lines += ["", "… \(results.count - shown) more queries (all of them in --json)"]
        }
        lines += ["", "Timings: " + timings.text]
        return lines.joined(separator: "\n")
    }
}

extension SearchReport.IndexSummary {
    init(_ index: SearchIndex) {
        self.init(path: index.name, rows: index.count, dimension: index.dimension, pooling: index.pooling,
                  model: index.record?.model.name, dataset: index.record?.dataset.spec, split: index.record?.dataset.split)
    }
}
