import Foundation

/// What every fuzz target shares: the input as bytes, and scratch files for parsers that read from a path.
public enum FuzzInput {
    /// libFuzzer's buffer as an array (a null pointer or zero size is an empty input).
    public static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
        guard let data, size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// A folder private to this process under $TMPDIR, reused by every input (the run script removes $TMPDIR).
    public static let folder: URL = {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("embeval-fuzz-\(ProcessInfo.processInfo.processIdentifier)", isDirectory: true)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// `bytes` written to `name` in the scratch folder, replacing the previous input's file.
    public static func file(_ name: String, _ bytes: [UInt8]) -> URL {
        let url = folder.appendingPathComponent(name)
        do { try Data(bytes).write(to: url) } catch { fatalError("fuzz harness: cannot write \(url.path): \(error)") }
        return url
    }

    /// A few texts to encode with a tokenizer built from fuzzed data: plain, empty, spaces, accents, emoji,
    /// digits, punctuation, special tokens and a long word.
    public static let texts = [
        "a photo of a cat.", "", "   ", "Hello,  WORLD!! it's 2024 — naïve café 🤖👍🏽",
        "<|startoftext|>x<|endoftext|> </s> <unk>", "ｆｕｌｌ　ｗｉｄｔｈ ﬁ Å Å", "日本語のテキスト", "\t\n\r\u{0}\u{FEFF}",
        String(repeating: "ab", count: 200),
    ]
}
