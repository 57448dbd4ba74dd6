import Foundation

/// A folder written by `datasets`' `save_to_disk`: the Arrow files of one split, and its features.
///
/// - A `DatasetDict` folder has `dataset_dict.json` (`{"splits": ["train", "test"]}`) and a sub-folder per split.
/// - A `Dataset` folder has `state.json` (`{"_data_files": [{"filename": "data-00000-of-00001.arrow"}, …],
///   "_split": "test" or null}`), `dataset_info.json` (`{"features": …}`) and the Arrow stream files.
struct SavedDataset {
    /// The split's Arrow files, in `state.json`'s order.
    var files: [URL]
    /// The split read (nil for a `Dataset` folder that does not name its split).
    var split: String?
    /// From `dataset_info.json`, when the Arrow schemas lack the `huggingface` metadata.
    var features: HuggingFaceFeatures?

    static func isSaved(_ folder: URL) -> Bool {
        ["dataset_dict.json", "state.json"].contains { FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path) }
    }

    /// The split `split` of the saved folder (default: the only one, else `test`).
    init(_ folder: URL, split: String?, dataset: String) throws {
        let dictionary = folder.appendingPathComponent("dataset_dict.json")
        if FileManager.default.fileExists(atPath: dictionary.path) {
            let object = try Self.json(dictionary)
            guard let splits = object["splits"] as? [String], !splits.isEmpty else {
                throw DatasetError.malformed(kind: "save_to_disk index", path: dictionary.path, location: nil, reason: "no \"splits\" list of names")
            }
            let chosen: String
            if let split {
                guard splits.contains(split) else {
                    throw DatasetError.noSuchSplit(dataset: dataset, split: split, hint: "its dataset_dict.json lists \(listing(splits.map { "'\($0)'" }, conjunction: "and"))")
                }
                chosen = split
            } else if splits.count == 1 {
                chosen = splits[0]
            } else if splits.contains("test") {
                chosen = "test"
            } else {
                throw DatasetError.splitRequired(dataset: dataset, available: splits)
            }
            guard chosen.isPlainFileName else {
                throw DatasetError.malformed(kind: "save_to_disk index", path: dictionary.path, location: nil, reason: "split name '\(chosen)' is not a folder name")
            }
            try self.init(single: folder.appendingPathComponent(chosen), split: chosen, asked: split, dataset: dataset)
        } else {
            try self.init(single: folder, split: nil, asked: split, dataset: dataset)
        }
    }

    /// A `Dataset` folder (`state.json`); `split` is the name its `DatasetDict` gave it.
    private init(single folder: URL, split: String?, asked: String?, dataset: String) throws {
        let stateURL = folder.appendingPathComponent("state.json")
        guard FileManager.default.fileExists(atPath: stateURL.path) else {
            throw DatasetError.missingFile(what: "save_to_disk state", path: stateURL.path, remedy: "every split folder of a save_to_disk dataset has one")
        }
        let state = try Self.json(stateURL)
        guard let entries = state["_data_files"] as? [[String: Any]], !entries.isEmpty else {
            throw DatasetError.malformed(kind: "save_to_disk state", path: stateURL.path, location: nil, reason: "no \"_data_files\" list")
        }
        files = try entries.enumerated().map { index, entry in
            guard let name = entry["filename"] as? String, name.isPlainFileName else {
                throw DatasetError.malformed(kind: "save_to_disk state", path: stateURL.path, location: "_data_files[\(index)]", reason: "no plain \"filename\" in the folder")
            }
            return folder.appendingPathComponent(name)
        }
        let named = split ?? (state["_split"] as? String)
        if let asked, split == nil, named != asked {
            throw DatasetError.noSuchSplit(dataset: dataset, split: asked,
                                           hint: named.map { "the saved dataset is the split '\($0)'" } ?? "the saved dataset does not name its split; leave out --split")
        }
        self.split = named
        let infoURL = folder.appendingPathComponent("dataset_info.json")
        if FileManager.default.fileExists(atPath: infoURL.path) {
            do { features = try HuggingFaceFeatures(datasetInfo: try Self.json(infoURL)) } catch let error as DecodingFailure {
                throw DatasetError.malformed(kind: "dataset info", path: infoURL.path, location: nil, reason: error.reason)
            }
        }
    }

    private static func json(_ url: URL) throws -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw DatasetError.unreadable(path: url.path, reason: "cannot read the file")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw DatasetError.malformed(kind: nil, path: url.path, location: nil, reason: "not a JSON object")
        }
        return object
    }
}
