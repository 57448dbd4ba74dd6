// The tokenizers the prompts target feeds, loaded once; Fuzz/lsan.supp names this file (see there).
import Embeval
import Foundation

/// Every fixture tokenizer: each family's tokenizer.json, the full CLIP vocabulary, SigLIP's spiece.model, and the
/// two-tower fixtures' text encoders (SigLIP 2 pads to 64, ALIGN is BERT's WordPiece).
let tokenizers: [any TextTokenizer] = {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Tests/EmbevalTests/Fixtures")
    let families = ["bert", "bert-cased", "clip", "components-1", "components-2", "components-3", "components-4",
                    "components-5", "gemma", "unigram-bytefallback", "xlmr"].map { "tokenizers/families/\($0)" }
    let others = ["tokenizers/clip", "tokenizers/siglip/spiece.model", "twotower/siglip2/text-encoder",
                  "twotower/align/text-encoder"]
    return (families + others).map { path in
        do { return try TokenizerLoader.load(path: fixtures.appendingPathComponent(path).path) } catch {
            fatalError("fuzz harness: cannot load the fixture tokenizer \(path): \(error)")
        }
    }
}()
