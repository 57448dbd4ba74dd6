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

    /// Writes the files of a packed folder (`Fuzz/pack-folder`'s format: `== PATH\n` starts each file and one line
    /// break ends it) into `folder`, replacing what was there; a path with other characters than `[A-Za-z0-9._-]`,
    /// with `.`/`..` or with more than `depth` parts is dropped with its bytes. False when no file was written.
    public static func unpack(_ bytes: [UInt8], into folder: URL, depth: Int) -> Bool {
        try? FileManager.default.removeItem(at: folder)
        let marker = Array("== ".utf8), newline = UInt8(ascii: "\n")
        var starts = [Int]()
        var i = 0
        while i + marker.count <= bytes.count {
            if (i == 0 || bytes[i - 1] == newline), Array(bytes[i..<(i + marker.count)]) == marker { starts.append(i) }
            i += 1
        }
        var written = false
        for (n, start) in starts.enumerated() {
            var end = n + 1 < starts.count ? starts[n + 1] : bytes.count
            guard let lineEnd = bytes[start..<end].firstIndex(of: newline) else { continue }
            if end > lineEnd + 1, bytes[end - 1] == newline { end -= 1 }   // the line break that ends every file
            let name = String(decoding: bytes[(start + marker.count)..<lineEnd], as: UTF8.self)
            let parts = name.split(separator: "/", omittingEmptySubsequences: false)
            let plain = { (part: Substring) in !part.isEmpty && part != "." && part != ".." && part.allSatisfy(nameCharacters.contains) }
            guard (1...depth).contains(parts.count), parts.allSatisfy(plain) else { continue }
            let url = folder.appendingPathComponent(name)
            try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            if (try? Data(bytes[(lineEnd + 1)..<max(lineEnd + 1, end)]).write(to: url)) != nil { written = true }
        }
        return written
    }

    private static let nameCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")

    /// A few texts to encode with a tokenizer built from fuzzed data: plain, empty, spaces, accents, emoji,
    /// digits, punctuation, special tokens and a long word.
    public static let texts = [
        "a photo of a cat.", "", "   ", "Hello,  WORLD!! it's 2024 — naïve café 🤖👍🏽",
        "<|startoftext|>x<|endoftext|> </s> <unk>", "ｆｕｌｌ　ｗｉｄｔｈ ﬁ Å Å", "日本語のテキスト", "\t\n\r\u{0}\u{FEFF}",
        String(repeating: "ab", count: 200),
    ]
}
