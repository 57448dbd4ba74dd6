extension Unicode.Scalar {
    /// Whether this scalar, inside a user's string (a class name, an id, a title), would change how the text shown
    /// after it reads: C0 and C1 control characters, and the bidirectional embeddings, overrides and isolates
    /// (U+202A–U+202E, U+2066–U+2069) — "cat\u{202E}gpj.exe" displays as "catexe.jpg". Tab and line breaks are not
    /// counted (each writer decides), nor are the directional marks U+200E/U+200F, which reorder nothing after them.
    public var altersDisplayedText: Bool {
        switch value {
        case 0x09, 0x0A, 0x0D: false
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}

/// A user's string as a page shows it: every scalar that `altersDisplayedText` becomes U+FFFD, so that a reader
/// sees that something was there and the text after it stays in order.
func displayedText(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: \.altersDisplayedText) else { return text }
    var shown = String.UnicodeScalarView()
    for scalar in text.unicodeScalars { shown.append(scalar.altersDisplayedText ? "\u{FFFD}" : scalar) }
    return String(shown)
}
