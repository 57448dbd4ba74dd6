/// The subword model of a tokenizer.json: how one pre-tokenised word becomes ids.
enum TokenizerModel: Sendable {
    case bpe(BPEModel)
    case wordPiece(WordPieceModel)
    case unigram(UnigramModel)
    case wordLevel(WordLevelModel)
    /// A SentencePiece `.model` file's unigram model with its own normaliser (SigLIP's spiece.model).
    case sentencePiece(SentencePieceWords)

    /// The model the file's `model.type` names; an unknown type throws naming the file.
    init(json: TokenizerJSON) throws {
        switch json.modelType {
        case "BPE": self = .bpe(try BPEModel(json: json))
        case "WordPiece": self = .wordPiece(try WordPieceModel(json: json))
        case "Unigram": self = .unigram(try UnigramModel(json: json))
        case "WordLevel": self = .wordLevel(try WordLevelModel(json: json))
        default: throw TokenizerError.unsupported(path: json.path, component: "model type '\(json.modelType)' (supported: BPE, WordPiece, Unigram, WordLevel)")
        }
    }

    func tokenize(_ word: String) -> [Int] {
        switch self {
        case .bpe(let model): model.tokenize(word)
        case .wordPiece(let model): model.tokenize(word)
        case .unigram(let model): model.tokenize(word)
        case .wordLevel(let model): model.tokenize(word)
        case .sentencePiece(let model): model.tokenize(word)
        }
    }

    func id(of token: String) -> Int? {
        switch self {
        case .bpe(let model): model.id(of: token)
        case .wordPiece(let model): model.id(of: token)
        case .unigram(let model): model.id(of: token)
        case .wordLevel(let model): model.id(of: token)
        case .sentencePiece(let model): model.model.id(of: token)
        }
    }

    /// How many ids the model assigns (`tokenizers`' `get_vocab_size`): where the ids of added tokens it lacks start.
    var vocabularySize: Int {
        switch self {
        case .bpe(let model): model.vocabularySize
        case .wordPiece(let model): model.vocabularySize
        case .unigram(let model): model.vocabularySize
        case .wordLevel(let model): model.vocabularySize
        case .sentencePiece(let model): model.model.pieces.count
        }
    }
}

/// SentencePiece's `EncodeAsIds` of a chunk as transformers' SentencePiece tokenizers call it: the chunk after
/// `prefix` ("<unk>"), dropping the pieces the prefix alone encodes to — so no dummy "▁" is put in front.
struct SentencePieceWords: Sendable {
    let model: SentencePieceModel
    let prefix: String
    let prefixPieces: Int

    init(model: SentencePieceModel, prefix: String) {
        self.model = model
        self.prefix = prefix
        prefixPieces = model.encode(prefix).count
    }

    func tokenize(_ word: String) -> [Int] {
        let pieces = model.encodePieces(prefix + word)
        return (pieces.count >= prefixPieces ? pieces.dropFirst(prefixPieces) : pieces[...]).map(\.id)
    }
}
