import Foundation

/// A SentencePiece model read from its `.model` file (a serialised `ModelProto`), and its `EncodeAsIds`.
///
/// Only UNIGRAM models encode (SigLIP, T5, Gemma-style vocabularies); the normaliser, the Viterbi search over the
/// piece lattice, unknown-character handling (merged runs of `<unk>`, or byte fallback) follow sentencepiece's own
/// processor, so the ids are the ones `SentencePieceProcessor.encode(text)` returns.
public struct SentencePieceModel: Sendable {
    /// How a piece takes part in encoding (`ModelProto.SentencePiece.Type`).
    public enum PieceType: Int, Sendable {
        case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    public struct Piece: Sendable, Equatable {
        public var piece: String
        public var score: Float
        public var type: PieceType
    }

    /// `TrainerSpec.model_type`.
    public enum ModelType: Int, Sendable {
        case unigram = 1, bpe = 2, word = 3, char = 4
    }

    /// `NormalizerSpec`: the rule's name, its compiled table and the whitespace options (all default true).
    public struct NormalizerSpec: Sendable {
        public var name = ""
        public var precompiledCharsmap: [UInt8] = []
        public var addDummyPrefix = true
        public var removeExtraWhitespaces = true
        public var escapeWhitespaces = true
    }

    /// The fields of `TrainerSpec` encoding depends on, with sentencepiece's defaults.
    public struct TrainerSpec: Sendable {
        public var modelType: ModelType = .unigram
        public var treatWhitespaceAsSuffix = false
        public var byteFallback = false
        public var unkID = 0, bosID = 1, eosID = 2, padID = -1
        public var unkPiece = "<unk>", bosPiece = "<s>", eosPiece = "</s>", padPiece = "<pad>"
    }

    public let pieces: [Piece]
    public let trainerSpec: TrainerSpec
    public let normalizerSpec: NormalizerSpec
    /// The id of the UNKNOWN piece.
    public let unkID: Int

    let normalizer: SentencePieceNormalizer
    private let trie: ByteTrie
    private let pieceIDs: [String: Int]
    private let minScore: Float
    private let maxScore: Float

    /// Reads a `.model` file; a missing, unreadable or malformed file, or a non-unigram model, throws
    /// `TokenizerError.modelFile` naming the file.
    public init(contentsOf url: URL) throws {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else {
            throw TokenizerError.modelFile(path: path, reason: "no such file (expected a SentencePiece model)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TokenizerError.modelFile(path: path, reason: "cannot read the SentencePiece model")
        }
        try self.init(bytes: [UInt8](data), path: path)
    }

    /// Parses the bytes of a serialised `ModelProto`; `path` only names the source in errors.
    public init(bytes: [UInt8], path: String = "sentencepiece model") throws {
        func fail(_ reason: String) -> TokenizerError {
            .modelFile(path: path, reason: "not a SentencePiece model (\(reason))")
        }
        var pieces = [Piece]()
        var trainer = TrainerSpec()
        var normalizer = NormalizerSpec()
        do {
            var reader = ProtobufReader(bytes)
            while let (field, type) = try reader.nextField() {
                switch (field, type) {
                case (1, .lengthDelimited): pieces.append(try Self.readPiece(try reader.readMessage()))
                case (2, .lengthDelimited): trainer = try Self.readTrainerSpec(try reader.readMessage())
                case (3, .lengthDelimited): normalizer = try Self.readNormalizerSpec(try reader.readMessage())
                case (1...3, _): throw ProtobufReader.Failure(description: "field \(field) has wire type \(type)")
                default: try reader.skip(type)
                }
            }
        } catch let failure as ProtobufReader.Failure {
            throw fail(failure.description)
        }
        guard !pieces.isEmpty else { throw fail("it has no pieces") }
        switch trainer.modelType {
        case .unigram: break
        case .bpe: throw TokenizerError.modelFile(path: path, reason: "SentencePiece BPE models are not supported (only UNIGRAM)")
        case .word, .char:
            throw TokenizerError.modelFile(path: path, reason: "SentencePiece \(trainer.modelType) models are not supported (only UNIGRAM)")
        }
        let unknown = pieces.indices.filter { pieces[$0].type == .unknown }
        guard unknown.count == 1 else { throw fail(unknown.isEmpty ? "no <unk> piece" : "more than one <unk> piece") }

        self.pieces = pieces
        self.trainerSpec = trainer
        self.normalizerSpec = normalizer
        self.unkID = unknown[0]

        var ids = [String: Int](minimumCapacity: pieces.count)
        var trie = ByteTrie()
        var minScore = Float.greatestFiniteMagnitude, maxScore = Float.leastNormalMagnitude
        for (id, piece) in pieces.enumerated() {
            guard !piece.piece.isEmpty else { throw fail("piece \(id) is empty") }
            guard ids.updateValue(id, forKey: piece.piece) == nil else {
                throw fail("piece '\(piece.piece)' is defined twice")
            }
            switch piece.type {
            case .normal, .userDefined, .unused: trie.insert(Array(piece.piece.utf8), id: id)
            case .unknown, .control, .byte: break
            }
            if piece.type == .normal {
                minScore = min(minScore, piece.score)
                maxScore = max(maxScore, piece.score)
            }
        }
        self.pieceIDs = ids
        self.trie = trie
        self.minScore = minScore
        self.maxScore = maxScore
        do {
            self.normalizer = try SentencePieceNormalizer(
                spec: normalizer, treatWhitespaceAsSuffix: trainer.treatWhitespaceAsSuffix,
                userDefined: pieces.filter { $0.type == .userDefined }.map(\.piece))
        } catch let failure as ProtobufReader.Failure {
            throw fail(failure.description)
        }
    }

    /// The id of a piece string, or nil when the vocabulary has no such piece.
    public func id(of piece: String) -> Int? { pieceIDs[piece] }

    /// The text as the model's normaliser rewrites it (spaces shown as "▁" when the model escapes them).
    public func normalize(_ text: String) -> String { String(decoding: normalizer.normalize(text), as: UTF8.self) }

    /// The ids `SentencePieceProcessor.encode(text)` gives: no bos/eos added.
    public func encode(_ text: String) -> [Int] { encodePieces(text).map(\.id) }

    /// `SentencePieceProcessor.encode(text, out_type=str)` with the ids: a piece's text, or for `<unk>` the
    /// (normalised) characters it covers — a run of unknown characters is one `<unk>`, or one byte piece per
    /// UTF-8 byte (`<0xE7>`) when the model has byte fallback.
    public func encodePieces(_ text: String) -> [(piece: String, id: Int)] {
        let normalized = normalizer.normalize(text)
        var result = [(piece: String, id: Int)]()
        var previousUnknown = false
        for (range, id) in viterbi(normalized) {
            if id == unkID && trainerSpec.byteFallback {
                for byte in normalized[range] {
                    let name = "<0x" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2) + ">"
                    result.append((name, pieceIDs[name] ?? unkID))
                }
                previousUnknown = false
                continue
            }
            let surface = id == unkID ? String(decoding: normalized[range], as: UTF8.self) : pieces[id].piece
            if id == unkID && previousUnknown {
                result[result.count - 1].piece += surface
                continue
            }
            result.append((surface, id))
            previousUnknown = id == unkID
        }
        return result
    }

    /// The best segmentation of normalised UTF-8 bytes: sentencepiece's optimised unigram Viterbi (one best path per
    /// end position, updated only by a strictly better score), ties and rounding included: path scores are float
    /// sums, as sentencepiece 0.2.x computes them (checked on exact ties such as "!"+"!!" vs "!!"+"!"). A user-defined
    /// piece scores `length_in_bytes * max_normal_score - 0.1`; a character no piece covers is `<unk>` scoring
    /// `min_normal_score - 10`.
    func viterbi(_ text: [UInt8]) -> [(Range<Int>, Int)] {
        let pieces = pieces, maxScore = maxScore
        return UnigramLattice.bestPath(text, trie: trie, unknownID: unkID, unknownScore: minScore - 10) { id, length in
            switch pieces[id].type {
            case .unused: nil
            case .userDefined: Float(length) * maxScore - 0.1
            default: pieces[id].score
            }
        }
    }

    // MARK: - ModelProto fields (sentencepiece_model.proto)

    private static func readPiece(_ message: ProtobufReader) throws -> Piece {
        var reader = message
        var piece = Piece(piece: "", score: 0, type: .normal)
        while let (field, type) = try reader.nextField() {
            switch (field, type) {
            case (1, .lengthDelimited): piece.piece = try reader.readString()
            case (2, .fixed32): piece.score = try reader.readFloat()
            case (3, .varint):
                let raw = try reader.readInt32()
                guard let t = PieceType(rawValue: raw) else {
                    throw ProtobufReader.Failure(description: "unknown piece type \(raw)")
                }
                piece.type = t
            case (1...3, _): throw ProtobufReader.Failure(description: "piece field \(field) has wire type \(type)")
            default: try reader.skip(type)
            }
        }
        return piece
    }

    private static func readTrainerSpec(_ message: ProtobufReader) throws -> TrainerSpec {
        var reader = message
        var spec = TrainerSpec()
        while let (field, type) = try reader.nextField() {
            switch (field, type) {
            case (3, .varint):
                let raw = try reader.readInt32()
                guard let t = ModelType(rawValue: raw) else {
                    throw ProtobufReader.Failure(description: "unknown model type \(raw)")
                }
                spec.modelType = t
            case (24, .varint): spec.treatWhitespaceAsSuffix = try reader.readBool()
            case (35, .varint): spec.byteFallback = try reader.readBool()
            case (40, .varint): spec.unkID = try reader.readInt32()
            case (41, .varint): spec.bosID = try reader.readInt32()
            case (42, .varint): spec.eosID = try reader.readInt32()
            case (43, .varint): spec.padID = try reader.readInt32()
            case (45, .lengthDelimited): spec.unkPiece = try reader.readString()
            case (46, .lengthDelimited): spec.bosPiece = try reader.readString()
            case (47, .lengthDelimited): spec.eosPiece = try reader.readString()
            case (48, .lengthDelimited): spec.padPiece = try reader.readString()
            default: try reader.skip(type)
            }
        }
        return spec
    }

    private static func readNormalizerSpec(_ message: ProtobufReader) throws -> NormalizerSpec {
        var reader = message
        var spec = NormalizerSpec()
        while let (field, type) = try reader.nextField() {
            switch (field, type) {
            case (1, .lengthDelimited): spec.name = try reader.readString()
            case (2, .lengthDelimited): spec.precompiledCharsmap = Array(try reader.readBytes())
            case (3, .varint): spec.addDummyPrefix = try reader.readBool()
            case (4, .varint): spec.removeExtraWhitespaces = try reader.readBool()
            case (5, .varint): spec.escapeWhitespaces = try reader.readBool()
            default: try reader.skip(type)
            }
        }
        return spec
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
