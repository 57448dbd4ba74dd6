import Foundation

/// What an extraction is, as `manifest.json` and the progress record of a partial run keep it: the model (by its
/// SHA-256), the samples (by fingerprint), the settings that shape the bytes, and which shard of the run.
///
/// A resume, a merge and a reader of several shards compare these; provenance that legitimately differs between
/// machines (the model's path, the dataset's path) is kept for reports but never compared.
public struct ExtractionRecord: Codable, Equatable, Sendable {
    public var model: ModelIdentity
    public var dataset: DatasetIdentity
    /// Pooling names, in the model's order (`cls`, `mean`, …; `pixels` for the baseline).
    public var poolings: [String]
    /// The batch size the model ran with: shard boundaries and, for dynamically quantised models, the bytes depend on it.
    public var batchSize: Int
    public var onBadImage: BadImagePolicy
    public var maxImagePixels: Int
    /// The shard this set is (nil: the whole selection).
    public var shard: ShardRange?
    /// The shards a merged set was joined from, in order (nil unless merged).
    public var mergedFrom: [ShardRange]?
    /// Samples left out under `--on-bad-image skip`.
    public var skipped: [SkippedSample]
    /// How values are stored; nil (absent from the manifest) is float32, as every set before `--dtype` was.
    public var dtype: StoredFloat?

    enum CodingKeys: String, CodingKey {
        case model, dataset, poolings, shard, skipped, dtype
        case batchSize = "batch_size", onBadImage = "on_bad_image", maxImagePixels = "max_image_pixels", mergedFrom = "merged_from"
    }

    /// The model as identified across machines.
    public struct ModelIdentity: Codable, Equatable, Sendable {
        public var name: String
        /// SHA-256 of the `.onnx` file; nil for the raw-pixel baseline.
        public var sha256: String?
        /// The preprocessing applied after overrides (what the report lists); nil for the raw-pixel baseline.
        public var preprocessing: JSONValue?
        /// Everything the model reports about itself (path, ONNX Runtime version, inputs): provenance only.
        public var metadata: JSONValue

        /// What must be equal for two runs to be of one model: the file's hash, else (the pixel baseline, whose
        /// metadata names no path) the metadata itself.
        var identity: String { sha256 ?? metadata.serialized() }
    }

    /// The selected samples, as identified across machines.
    public struct DatasetIdentity: Codable, Equatable, Sendable {
        /// `--dataset` as typed (provenance: the same data may sit at another path on another node).
        public var spec: String
        public var split: String?
        public var samples: Int?
        public var seed: UInt64
        /// Samples selected (after `--samples`/`--seed`), all shards together.
        public var count: Int
        public var classes: [String]
        /// SHA-256 of the selection, the classes, and every sample's id and label in order (`DatasetFingerprint`).
        public var fingerprint: String
    }

    /// A shard's place in the run: shard `index` of `count`, the sample positions `start..<end` of `total`.
    public struct ShardRange: Codable, Equatable, Sendable, CustomStringConvertible {
        public var index: Int
        public var count: Int
        public var start: Int
        public var end: Int

        public var shard: Shard { get throws { try Shard(index: index, count: count) } }
        public var description: String { "\(index)/\(count)" }
    }

    /// The same record as it reads back from JSON (numbers such as 1.0 come back as 1), so a fresh record compares
    /// equal to a stored one.
    func roundTripped() throws -> ExtractionRecord {
        try JSONDecoder().decode(ExtractionRecord.self, from: try JSONEncoder().encode(self))
    }

    /// The first way `other` is not the same extraction (shard and skipped samples aside), in words for a message;
    /// nil when it is.
    public func difference(from other: ExtractionRecord) -> String? {
        let otherPreprocessing = "other preprocessing (--image-size, --resize, --crop, --mean, --std, --resample, --jpeg-draft)"
        // One model file (or the pixel baseline on both sides, whose identity includes its preprocessing): say so.
        if model.sha256 == other.model.sha256, model.preprocessing != other.model.preprocessing { return otherPreprocessing }
        if model.identity != other.model.identity {
            let a = model.sha256.map { String($0.prefix(12)) + "…" } ?? model.name, b = other.model.sha256.map { String($0.prefix(12)) + "…" } ?? other.model.name
            return "another model (\(b), not \(a))"
        }
        if model.preprocessing != other.model.preprocessing { return otherPreprocessing }
        if poolings != other.poolings { return "other poolings (\(other.poolings.joined(separator: ",")), not \(poolings.joined(separator: ",")))" }
        // Poolings at a layer read normed or raw tokens: the same names, other bytes.
        if model.metadata["layer_norm"] != other.model.metadata["layer_norm"] {
            let name = { (r: ExtractionRecord) in r.model.metadata["layer_norm"].flatMap { if case .string(let s) = $0 { s } else { nil } } ?? "final" }
            return "another --layer-norm (\(name(other)), not \(name(self)))"
        }
        if dataset.fingerprint != other.dataset.fingerprint {
            return "another dataset selection ('\(other.dataset.spec)' \(other.dataset.split ?? "") of \(other.dataset.count) samples, fingerprint \(other.dataset.fingerprint.prefix(12))…; here '\(dataset.spec)' \(dataset.split ?? "") of \(dataset.count), \(dataset.fingerprint.prefix(12))…)"
        }
        if batchSize != other.batchSize { return "another batch size (\(other.batchSize), not \(batchSize))" }
        if (dtype ?? .float32) != (other.dtype ?? .float32) {
            return "another --dtype (\((other.dtype ?? .float32).rawValue), not \((dtype ?? .float32).rawValue))"
        }
        if onBadImage != other.onBadImage { return "another --on-bad-image (\(other.onBadImage.rawValue), not \(onBadImage.rawValue))" }
        if maxImagePixels != other.maxImagePixels { return "another --max-image-pixels (\(other.maxImagePixels), not \(maxImagePixels))" }
        return nil
    }
}

extension ExtractionRecord {
    /// Read back only with poolings a set can have: one or more, each naming a sub-folder inside the set (never `..`,
    /// which made `merge` write its files beside the output, over whatever was there).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        model = try container.decode(ModelIdentity.self, forKey: .model)
        dataset = try container.decode(DatasetIdentity.self, forKey: .dataset)
        poolings = try container.decode([String].self, forKey: .poolings)
        batchSize = try container.decode(Int.self, forKey: .batchSize)
        onBadImage = try container.decode(BadImagePolicy.self, forKey: .onBadImage)
        maxImagePixels = try container.decode(Int.self, forKey: .maxImagePixels)
        shard = try container.decodeIfPresent(ShardRange.self, forKey: .shard)
        mergedFrom = try container.decodeIfPresent([ShardRange].self, forKey: .mergedFrom)
        skipped = try container.decode([SkippedSample].self, forKey: .skipped)
        dtype = try container.decodeIfPresent(StoredFloat.self, forKey: .dtype)
        if poolings.isEmpty {
            throw DecodingError.dataCorruptedError(forKey: .poolings, in: container, debugDescription: "it names no pooling")
        }
        if let bad = poolings.first(where: { !Pooling.folderName(for: $0).isPlainFileName }) {
            throw DecodingError.dataCorruptedError(forKey: .poolings, in: container,
                                                   debugDescription: "the pooling \(String(reflecting: bad)) names no folder inside the set")
        }
    }
}

extension ExtractionRecord.ShardRange {
    /// Read back only as a place a shard can have (a count of 1…1,000,000, an index below it, a range from
    /// `start` up to `end`): an edited manifest is refused here, before any loop runs over its count.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        index = try container.decode(Int.self, forKey: .index)
        count = try container.decode(Int.self, forKey: .count)
        start = try container.decode(Int.self, forKey: .start)
        end = try container.decode(Int.self, forKey: .end)
        do { _ = try shard } catch let error as ShardError {
            throw DecodingError.dataCorruptedError(forKey: .index, in: container, debugDescription: error.description)
        }
        guard start >= 0, end >= start else {
            throw DecodingError.dataCorruptedError(forKey: .end, in: container,
                                                   debugDescription: "shard \(self) covers samples \(start)..<\(end), a range that runs backwards")
        }
    }
}
