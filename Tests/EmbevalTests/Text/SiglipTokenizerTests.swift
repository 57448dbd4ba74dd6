import Foundation
import Testing
@testable import Embeval

/// The SigLIP tokenizer fixtures made by tools/fixtures/tokenizers_siglip.py.
enum SiglipFixtures {
    struct Entry: Decodable {
        let text: String
        let ids64: [Int]
        let n: Int?
        let ids: [Int]?
        let sp: [Int]?
        let extra: [Int]?
        /// `tokenizer.encode(text)`: unpadded, untruncated.
        var unpadded: [Int] { ids ?? Array(ids64.prefix(n ?? 0)) }
    }

    struct References: Decodable {
        let pad_id: Int
        let eos_id: Int
        let unk_id: Int
        let corpus_size: Int
        let entries: [Entry]
    }

    static let directory = TestPaths.fixture("tokenizers/siglip")
    static let references: References = {
        let data = try! Data(contentsOf: directory.appendingPathComponent("references.json"))
        return try! JSONDecoder().decode(References.self, from: data)
    }()
    static let tokenizer = try! SiglipTokenizer(directory: directory)
    static let extraModel = try! SentencePieceModel(contentsOf: directory.appendingPathComponent("extra.model"))
}

@Suite("Text: SigLIP tokenizer equals transformers' SiglipTokenizer")
struct SiglipTokenizerTests {
    @Test("every corpus string's 64 padded ids equal the HF zero-shot pipeline's")
    func paddedParity() {
        let refs = SiglipFixtures.references
        let batch = SiglipFixtures.tokenizer.batch(refs.entries.map(\.text))
        var mismatches = [String]()
        for (entry, ids) in zip(refs.entries, batch.ids) where ids != entry.ids64 {
            mismatches.append("\(entry.text.debugDescription): \(ids) vs \(entry.ids64)")
        }
        print("SigLIP padded parity: \(refs.entries.count - mismatches.count)/\(refs.entries.count)")
        #expect(mismatches.isEmpty, "\(mismatches.count) differ, first: \(mismatches.prefix(3).joined(separator: "\n"))")
        #expect(batch.length == 64)
        for (entry, mask) in zip(refs.entries, batch.attentionMask) {
            let real = entry.n.map { min($0, 64) } ?? 64
            #expect(mask == [Int](repeating: 1, count: real) + [Int](repeating: 0, count: 64 - real))
        }
    }

    @Test("unpadded, untruncated ids equal tokenizer.encode(text)")
    func unpaddedParity() {
        let refs = SiglipFixtures.references
        let bad = refs.entries.filter { SiglipFixtures.tokenizer.encode($0.text, truncate: false) != $0.unpadded }
        print("SigLIP encode parity: \(refs.entries.count - bad.count)/\(refs.entries.count)")
        #expect(bad.isEmpty, "first: \(bad.first.map { $0.text.debugDescription } ?? "")")
    }

    @Test("raw SentencePiece ids equal sentencepiece's EncodeAsIds (nmt_nfkc model and extra model)")
    func sentencePieceParity() {
        let entries = SiglipFixtures.references.entries
        let model = SiglipFixtures.tokenizer.model
        var checked = 0, bad = [String]()
        for entry in entries {
            if let sp = entry.sp {
                checked += 1
                if model.encode(entry.text) != sp { bad.append("spiece \(entry.text.debugDescription)") }
            }
            if let extra = entry.extra {
                checked += 1
                if SiglipFixtures.extraModel.encode(entry.text) != extra { bad.append("extra \(entry.text.debugDescription)") }
            }
        }
        print("SentencePiece EncodeAsIds parity: \(checked - bad.count)/\(checked)")
        #expect(checked > 500)
        #expect(bad.isEmpty, "\(bad.prefix(5))")
    }

    @Test func specialIDsAndLengths() {
        let t = SiglipFixtures.tokenizer, refs = SiglipFixtures.references
        #expect(t.padID == refs.pad_id && t.padID == 1)
        #expect(t.eosID == refs.eos_id && t.model.unkID == refs.unk_id)
        #expect(t.maxLength == 64 && t.fixedLength == 64)
        #expect(t.model.trainerSpec.modelType == .unigram)
        #expect(t.model.normalizerSpec.name == "nmt_nfkc")
    }

    @Test func truncationKeepsEOS() {
        let t = SiglipFixtures.tokenizer
        let ids = t.encode(String(repeating: "photo of a cat ", count: 40))
        #expect(ids.count == 64 && ids.last == t.eosID)
        #expect(t.encode(String(repeating: "photo of a cat ", count: 40), truncate: false).count > 64)
        #expect(t.encode("").last == t.eosID)
    }

    @Test func paddingToSixtyFour() {
        let batch = SiglipFixtures.tokenizer.batch(["cat", "a photo of a dog"])
        #expect(batch.ids.allSatisfy { $0.count == 64 })
        #expect(batch.ids[0].suffix(10).allSatisfy { $0 == 1 })
        #expect(batch.attentionMask[0].reduce(0, +) == SiglipFixtures.tokenizer.encode("cat").count)
    }

    @Test func canonicalisation() {
        let t = SiglipFixtures.tokenizer
        #expect(String(String.UnicodeScalarView(t.canonicalize(Array("  A, B!!\tC.  ".unicodeScalars)))) == "a b c")
        #expect(String(String.UnicodeScalarView(pythonLowercased(Array("ΟΔΟΣ İ".unicodeScalars)))) == "οδος i\u{307}")
        #expect(t.encode("A photo of a CAT!") == t.encode("a photo of a cat"))
    }

    @Test("corpus encodes quickly")
    func performance() {
        let texts = SiglipFixtures.references.entries.map(\.text)
        let t = SiglipFixtures.tokenizer
        let start = Date()
        _ = t.batch(texts)
        let seconds = Date().timeIntervalSince(start)
        print("SigLIP: \(texts.count) strings in \(String(format: "%.3f", seconds)) s")
        #expect(seconds < 2)
    }
}

@Suite("Text: SentencePiece model errors")
struct SentencePieceErrorTests {
    private func message(_ body: () throws -> Void) -> String? {
        do { try body() } catch let e as any UserError { return e.description } catch { return "\(error)" }
        return nil
    }

    @Test func missingDirectoryAndModel() throws {
        let m1 = message { _ = try SiglipTokenizer(directory: URL(fileURLWithPath: "/nonexistent/siglip")) }
        #expect(m1?.contains("/nonexistent/siglip") == true)
        let empty = TestPaths.scratch()
        let m2 = message { _ = try SiglipTokenizer(directory: empty) }
        #expect(m2?.contains("spiece.model") == true && m2?.contains(empty.path) == true)
        let m3 = message { _ = try SentencePieceModel(contentsOf: empty.appendingPathComponent("x.model")) }
        #expect(m3?.contains("x.model") == true && m3?.contains("no such file") == true)
    }

    @Test func notASentencePieceModel() throws {
        let dir = TestPaths.scratch()
        let json = dir.appendingPathComponent("spiece.model")
        try Data("{\"model\": {\"type\": \"BPE\"}}".utf8).write(to: json)
        let m = message { _ = try SentencePieceModel(contentsOf: json) }
        #expect(m?.hasPrefix("\(json.path): not a SentencePiece model") == true, "\(m ?? "")")
        #expect(m.map { !$0.contains("\n") } == true)

        let real = try Data(contentsOf: SiglipFixtures.directory.appendingPathComponent("spiece.model"))
        let cut = dir.appendingPathComponent("cut.model")
        try real.prefix(real.count / 2).write(to: cut)
        let m2 = message { _ = try SentencePieceModel(contentsOf: cut) }
        #expect(m2?.contains("not a SentencePiece model") == true, "\(m2 ?? "")")

        let m3 = message { _ = try SentencePieceModel(bytes: [], path: "empty.model") }
        #expect(m3?.contains("empty.model") == true)
    }

    @Test func bpeModelIsUnsupported() throws {
        // pieces {piece: "<unk>", type: UNKNOWN}, pieces {piece: "a", score: -1}, trainer_spec {model_type: BPE}
        var bytes = [UInt8]()
        func message(_ field: UInt8, _ body: [UInt8]) { bytes += [field << 3 | 2, UInt8(body.count)] + body }
        message(1, [0x0A, 5] + Array("<unk>".utf8) + [0x18, 2])
        message(1, [0x0A, 1, 0x61, 0x15] + withUnsafeBytes(of: Float(-1).bitPattern.littleEndian, Array.init))
        message(2, [0x18, 2])
        let m = self.message { _ = try SentencePieceModel(bytes: bytes, path: "bpe.model") }
        #expect(m == "bpe.model: SentencePiece BPE models are not supported (only UNIGRAM)")

        bytes.removeLast(4)
        let model = try SentencePieceModel(bytes: bytes, path: "tiny.model")
        #expect(model.unkID == 0 && model.pieces.count == 2)
        #expect(model.normalize(" a  a ") == "\u{2581}a\u{2581}a")
        #expect(model.encode("aab") == [0, 1, 1, 0])  // "▁" and "b" are unknown: two separate <unk> runs
        #expect(model.encode("bb a") == [0, 1])  // "▁bb▁" is one run of unknowns
    }

    @Test("corrupted model bytes give errors or a working model, never a crash")
    func corruptedBytes() throws {
        let extra = [UInt8](try Data(contentsOf: SiglipFixtures.directory.appendingPathComponent("extra.model")))
        let spiece = [UInt8](try Data(contentsOf: SiglipFixtures.directory.appendingPathComponent("spiece.model")))
        var g = SeededGenerator(seed: 7)
        var failures = 0
        for round in 0..<52 {
            // The last rounds hit spiece.model, whose charsmap (double-array trie + replacements) is most of it.
            var bytes = round < 40 ? extra : spiece
            for _ in 0..<(1 + round % 4) { bytes[g.index(below: bytes.count)] = UInt8(truncatingIfNeeded: g.next()) }
            if round % 5 == 0 { bytes.removeLast(g.index(below: bytes.count)) }
            do {
                let model = try SentencePieceModel(bytes: bytes, path: "fuzz.model")
                _ = model.encode("A photo of a cat, 猫 🐱 ﬁsh")
            } catch let e as TokenizerError {
                failures += 1
                #expect(e.description.hasPrefix("fuzz.model: ") && !e.description.contains("\n"))
            }
        }
        #expect(failures > 0)
    }

    @Test func configFromCheckpoint() throws {
        let config = try SiglipTokenizer.Config(directory: SiglipFixtures.directory)
        #expect(config.doLowerCase && config.modelMaxLength == 64)
        #expect(config.eosToken == "</s>" && config.padToken == "</s>" && config.unkToken == "<unk>")
        #expect(config.addedTokens.map(\.content) == ["</s>", "<unk>"])
        let dir = TestPaths.scratch()
        try Data("[1, 2]".utf8).write(to: dir.appendingPathComponent("tokenizer_config.json"))
        #expect(throws: TokenizerError.modelFile(path: "\(dir.path)/tokenizer_config.json", reason: "not a JSON object")) {
            try SiglipTokenizer.Config(directory: dir)
        }
        // Added-token ids outside 0…Int32.max are refused (a negative id would be printed, or sent to the model).
        for key in ["-1", "-9223372036854775808", "4294967296", "x"] {
            try Data("{\"added_tokens_decoder\": {\"\(key)\": {\"content\": \"<x>\"}}}".utf8)
                .write(to: dir.appendingPathComponent("tokenizer_config.json"))
            #expect(throws: TokenizerError.self, "\(key)") { try SiglipTokenizer.Config(directory: dir) }
        }
        // JSON 1 is a number (on Linux it also passes `is Bool`, and was refused as "must be a number"); true is not.
        try Data("{\"model_max_length\": 1}".utf8).write(to: dir.appendingPathComponent("tokenizer_config.json"))
        #expect(try SiglipTokenizer.Config(directory: dir).modelMaxLength == 1)
        try Data("{\"model_max_length\": true}".utf8).write(to: dir.appendingPathComponent("tokenizer_config.json"))
        #expect(throws: TokenizerError.modelFile(path: "\(dir.path)/tokenizer_config.json", reason: "'model_max_length' must be a number")) {
            try SiglipTokenizer.Config(directory: dir)
        }
        try Data("{\"added_tokens_decoder\": {\"7\": {\"content\": \"<x>\"}}}".utf8).write(to: dir.appendingPathComponent("tokenizer_config.json"))
        #expect(try SiglipTokenizer.Config(directory: dir).addedTokens.map(\.id) == [7])
        // A model without the configured eos piece is rejected, naming the file.
        var bad = SiglipTokenizer.Config()
        bad.eosToken = "<eos>"
        let model = SiglipFixtures.tokenizer.model
        #expect(throws: TokenizerError.modelFile(path: "x/spiece.model", reason: "the eos token '<eos>' is not in the vocabulary")) {
            try SiglipTokenizer(model: model, config: bad, path: "x/spiece.model")
        }
    }
}
