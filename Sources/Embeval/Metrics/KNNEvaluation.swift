import Foundation

/// A kNN evaluation of one embedding set: the protocol, the (k, weighting) grid, and each result.
public struct KNNEvaluation: Sendable {
    public var `protocol`: KNNProtocol
    public var weighting: VoteWeighting
    public var temperature: Double
    /// The k values asked for, and those used after capping to the available candidates.
    public var requestedKs: [Int]
    public var ks: [Int]
    public var results: [KNNResult]
    /// Query samples and reference samples (equal for leave-one-out).
    public var queryCount: Int
    public var referenceCount: Int
    /// Labels that make the figures trivial: how many references' classes there are, and how many queries have no
    /// reference of their own class (alone in it for leave-one-out; a class the train set lacks for train-test).
    public var referenceClasses = 0
    public var unmatchedQueries = 0

    /// One-line notes for the user: a capped k, and labels under which the accuracy says nothing of the embeddings.
    public var warnings: [String] {
        var notes = zip(requestedKs, ks).filter { $0 != $1 }.map { requested, used in
            "k=\(requested) exceeds the \(referenceCount - (self.protocol == .leaveOneOut ? 1 : 0)) candidate neighbours; capped to k=\(used)"
        }
        if referenceClasses == 1 {
            notes.append("every reference is of one class, so every vote is that class: the accuracy is the share of queries of it, whatever the embeddings")
        }
        if unmatchedQueries > 0 {
            notes.append(self.protocol == .leaveOneOut
                ? "\(unmatchedQueries) of \(queryCount) sample(s) are alone in their class: leave-one-out can never get them right"
                : "\(unmatchedQueries) of \(queryCount) test sample(s) are of classes the train set lacks: kNN can never get them right")
        }
        return notes
    }

    /// Leave-one-out over `set`, or `set` as queries against `train`; with `neighbours` (every query's, found by
    /// query shards and joined), only the vote runs.
    public init(_ set: Embeddings, train: Embeddings? = nil, ks: [Int], weighting: VoteWeighting,
                temperature: Double = 0.07, neighbours: NearestNeighbors? = nil, memoryBytes: Int = ProcessMemory.limit) throws {
        let proto: KNNProtocol = train == nil ? .leaveOneOut : .trainTest
        guard set.count >= 2 || proto == .trainTest else {
            throw MetricError.tooFewSamples(metric: "kNN leave-one-out", needed: 2, got: set.count)
        }
        guard set.count >= 1 else { throw MetricError.tooFewSamples(metric: "kNN", needed: 1, got: 0) }
        guard temperature.isFinite, temperature > 0 else { throw MetricError.invalidParameter(name: "--temperature", value: "\(temperature)", expected: "> 0") }
        let classifier = KNNClassifier(ks: ks, weighting: weighting, temperature: temperature)
        self.protocol = proto
        self.weighting = weighting
        self.temperature = temperature
        self.requestedKs = ks
        self.queryCount = set.count
        if let train {
            guard train.count >= 1 else { throw MetricError.tooFewSamples(metric: "kNN train set", needed: 1, got: 0) }
            guard train.dimension == set.dimension else {
                throw MetricError.incompatibleSets("train embeddings are \(train.dimension)-dimensional, test embeddings \(set.dimension)-dimensional")
            }
            referenceCount = train.count
            let trainClasses = Set(train.labels)
            referenceClasses = trainClasses.count
            unmatchedQueries = set.labels.filter { !trainClasses.contains($0) }.count
            self.ks = classifier.effectiveKs(candidates: train.count)
            if neighbours == nil { try classifier.checkMemory(queries: set.count, candidates: train.count, memoryBytes: memoryBytes) }
            let found = neighbours ?? classifier.neighbours(of: set.rows, labels: set.labels, references: train.rows, referenceLabels: train.labels)
            results = classifier.vote(found, queryLabels: set.labels, referenceLabels: train.labels)
        } else {
            referenceCount = set.count
            var classSize = [Int: Int]()
            for label in set.labels { classSize[label, default: 0] += 1 }
            referenceClasses = classSize.count
            unmatchedQueries = classSize.values.filter { $0 == 1 }.count
            self.ks = classifier.effectiveKs(candidates: set.count - 1)
            if neighbours == nil { try classifier.checkMemory(queries: set.count, candidates: set.count - 1, memoryBytes: memoryBytes) }
            let found = neighbours ?? classifier.neighbours(of: set.rows, labels: set.labels)
            results = classifier.vote(found, queryLabels: set.labels, referenceLabels: set.labels)
        }
    }
}
