import Foundation

/// The `datasets` features of a table that Embeval uses: which top-level columns are `Image` features, and which are
/// `ClassLabel` features with which class names.
///
/// Read from the `huggingface` key of a parquet file's (or Arrow schema's) metadata — `{"info": {"features": {…}}}` —
/// or from a `save_to_disk` folder's `dataset_info.json` — `{"features": {…}}`. A feature is an object with a
/// `_type`; a ClassLabel lists its `names` (or only `num_classes`, then the names are "0", "1", …).
struct HuggingFaceFeatures: Equatable, Sendable {
    /// Image columns, sorted by name.
    var imageColumns: [String]
    /// Class names of each ClassLabel column.
    var classLabels: [String: [String]]

    /// More classes than this in a `num_classes`-only ClassLabel are refused before their names are made.
    static let mostClasses = ColumnarDataset.mostIntegerClasses

    /// From the `huggingface` metadata JSON.
    init(metadata json: String) throws(DecodingFailure) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            throw DecodingFailure("its 'huggingface' metadata is not a JSON object")
        }
        let info = object["info"] as? [String: Any]
        try self.init(features: info?["features"])
    }

    /// From a `dataset_info.json` object (its `features`).
    init(datasetInfo object: [String: Any]) throws(DecodingFailure) {
        try self.init(features: object["features"])
    }

    private init(features: Any?) throws(DecodingFailure) {
        var images = [String](), labels = [String: [String]]()
        if let features = features as? [String: Any] {
            for (column, feature) in features {
                guard let feature = feature as? [String: Any], let type = feature["_type"] as? String else { continue }
                switch type {
                case "Image": images.append(column)
                case "ClassLabel": labels[column] = try Self.classNames(feature, column: column)
                default: continue
                }
            }
        }
        imageColumns = images.sorted()
        classLabels = labels
    }

    private static func classNames(_ feature: [String: Any], column: String) throws(DecodingFailure) -> [String] {
        if let names = feature["names"] as? [Any] {
            let strings = names.compactMap { $0 as? String }
            guard strings.count == names.count else { throw DecodingFailure("ClassLabel '\(column)' has names that are not strings") }
            return strings
        }
        guard let count = (feature["num_classes"] as? NSNumber)?.intValue, (0...mostClasses).contains(count) else {
            throw DecodingFailure("ClassLabel '\(column)' has neither names nor a num_classes up to \(mostClasses)")
        }
        return (0..<count).map(String.init)
    }
}
