// What a user types for zero-shot (Text/PromptTemplate.swift, Evaluation/ZeroShotTask.swift's PromptSet, and the
// tokenizers of Text/). Byte 0 picks one of the fixture tokenizers (each family's tokenizer.json, the full CLIP
// vocabulary, SigLIP's spiece.model, the two-tower fixtures' text encoders); the rest is read as a templates file
// (`--templates`) and as a class-names file (`--classnames`). Every prompt, as given and lower-cased (`--lowercase`),
// is batched at the tokenizer's own length and cut to 5 tokens (`tokenize --max-length 5`), and the classes the
// tokenizer cannot tell apart are looked for (`PromptSet.indistinguishableClasses`); the rest is one text too. The
// tokenizer files are fixtures, not fuzzed (the `tokenizer` and `sentencepiece` targets fuzz those); the texts are.
// Besides traps, a finding is a batch no text tower could take: ragged rows, a row longer than the length, or padding
// where a mask says text.
import Embeval
import Foundation
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPrompts(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = FuzzInput.bytes(data, size)
    guard let selector = bytes.first else { return 0 }
    let tokenizer = tokenizers[Int(selector) % tokenizers.count], text = Array(bytes.dropFirst())
    let templates = (try? PromptTemplate.load(from: FuzzInput.file("templates.txt", text))) ?? [.pipelineDefault]
    let names = (try? ClassNames.load(from: FuzzInput.file("classnames.txt", text))) ?? ["cat"]
    let chosen = (templates: Array(templates.prefix(3)), names: Array(names.prefix(3)))
    let given = PromptSet().prompts(classNames: chosen.names, templates: chosen.templates)
    _ = PromptSet.indistinguishableClasses(given, classNames: chosen.names, templates: chosen.templates.count, tokenizer: tokenizer)
    let prompts = given + PromptSet(lowercase: true).prompts(classNames: chosen.names, templates: chosen.templates)
        + [String(decoding: text, as: UTF8.self)]
    FuzzCheck.batch(tokenizer, prompts)
    guard let cut = try? tokenizer.withMaxLength(5) else { fatalError("a tokenizer refused a cut to 5 tokens") }
    FuzzCheck.batch(cut, prompts)
    return 0
}
