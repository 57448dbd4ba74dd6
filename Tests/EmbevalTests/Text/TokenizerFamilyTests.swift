import Foundation
import Testing
@testable import Embeval

/// Tokenizers trained with the real `tokenizers` library in each two-tower family's pipeline configuration
/// (tools/fixtures/tokenizers_families.py), and the ids `tokenizers` and transformers give ≥ 2,000 texts each.
enum TokenizerFamilies {
    static let directory = TestPaths.fixture("tokenizers/families")

    struct Family {
        var name: String
        var folder: URL
        var texts: [String]
        /// `Tokenizer.from_file(tokenizer.json).encode(text).ids`: untruncated, unpadded.
        var ids: [[Int]]
        /// transformers' `tokenizer(texts, truncation=True, max_length=model_max_length)`, when it has a class.
        var truncated: [[Int]]?
        var modelMaxLength: Int?
        var padID: Int?
        var paddingSide: String?
    }

    static let names: [String] = {
        let manifest = try! JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("manifest.json"))) as! [String: Any]
        return (manifest["families"] as! [[String: Any]]).map { $0["folder"] as! String }
    }()

    static func family(_ name: String) -> Family {
        let folder = directory.appendingPathComponent(name)
        let bytes = try! Gzip.contents(of: folder.appendingPathComponent("references.json.gz"))
        // Texts beginning with U+FEFF keep it only escaped (see TokenizerJSON.escapingByteOrderMarks).
        let json = try! JSONSerialization.jsonObject(with: TokenizerJSON.escapingByteOrderMarks(Data(bytes))) as! [String: Any]
        func rows(_ key: String) -> [[Int]]? { (json[key] as? [[NSNumber]])?.map { $0.map(\.intValue) } }
        return Family(name: name, folder: folder, texts: json["texts"] as! [String], ids: rows("ids")!, truncated: rows("truncated"),
                      modelMaxLength: json["model_max_length"] as? Int, padID: json["pad_id"] as? Int,
                      paddingSide: json["padding_side"] as? String)
    }
}

@Suite struct TokenizerFamilyTests {
    @Test(arguments: TokenizerFamilies.names)
    func everyTextMatchesTokenizers(_ name: String) throws {
        let family = TokenizerFamilies.family(name)
        let tokenizer = try TokenizerPipeline(path: family.folder.path)
        #expect(family.texts.count >= 2000)
        var plain = 0, truncated = 0, failures = [String]()
        for (i, text) in family.texts.enumerated() {
            let ids = tokenizer.encode(text, maxLength: nil)
            if ids == family.ids[i] { plain += 1 } else if failures.count < 5 { failures.append("\(text.debugDescription): \(ids) vs \(family.ids[i])") }
            if let reference = family.truncated?[i] {
                if tokenizer.encode(text) == reference { truncated += 1 } else if failures.count < 5 { failures.append("truncated \(text.debugDescription)") }
            }
        }
        print("\(name) parity: tokenizers \(plain)/\(family.texts.count), transformers truncated \(truncated)/\(family.truncated?.count ?? 0)")
        #expect(plain == family.texts.count, "\(failures)")
        #expect(truncated == family.truncated?.count ?? 0, "\(failures)")
        if let padID = family.padID { #expect(tokenizer.padID == padID) }
        if let side = family.paddingSide { #expect(tokenizer.padsLeft == (side == "left")) }
        if let length = family.modelMaxLength { #expect(tokenizer.maxLength == length) }
    }

    /// Files whose meaning `tokenizers` settles when it loads them (tools/fixtures/tokenizers_quirks.py): repeated
    /// vocabulary keys, merges and Unigram pieces take the last entry; added tokens take the ids it assigns, not the
    /// ids written. Each case's texts get `tokenizers`' ids; a file it refuses to load is refused.
    @Test func loadingQuirksResolveAsTokenizersDoes() throws {
        let url = TestPaths.fixture("tokenizers/quirks.json")
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let cases = root["cases"] as! [[String: Any]]
        #expect(cases.count >= 10)
        let scratch = TestPaths.scratch()
        for entry in cases {
            let name = entry["name"] as! String
            let folder = scratch.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data((entry["tokenizer"] as! String).utf8).write(to: folder.appendingPathComponent("tokenizer.json"))
            if entry["refused"] != nil {
                #expect(throws: TokenizerError.self, "\(name): tokenizers refuses it") { try TokenizerPipeline(path: folder.path) }
                continue
            }
            let tokenizer = try TokenizerPipeline(path: folder.path)
            let expected = (entry["ids"] as! [[NSNumber]]).map { $0.map(\.intValue) }
            for (text, ids) in zip(entry["texts"] as! [String], expected) {
                #expect(tokenizer.encode(text, maxLength: nil) == ids, "\(name): \(text.debugDescription)")
            }
        }
    }
}
