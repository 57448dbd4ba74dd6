import Foundation

/// What a report says about the evaluated dataset: its name and split, the samples and classes scored, the train split
/// where the protocol has one, and the images skipped.
public struct EvaluatedDataset: Codable, Sendable {
    public var name: String
    public var split: String?
    public var samples: Int
    public var classes: Int
    /// Present for the train/test protocol only.
    public var trainSplit: String?
    public var trainSamples: Int?
    public var skipped: [SkippedSample]
    enum CodingKeys: String, CodingKey {
        case name, split, samples, classes, trainSplit = "train_split", trainSamples = "train_samples", skipped
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encodeIfPresent(split, forKey: .split)
        try c.encode(samples, forKey: .samples)
        try c.encode(classes, forKey: .classes)
        if let trainSamples {
            try c.encodeIfPresent(trainSplit, forKey: .trainSplit)
            try c.encode(trainSamples, forKey: .trainSamples)
        }
        try c.encode(skipped, forKey: .skipped)
    }
}
