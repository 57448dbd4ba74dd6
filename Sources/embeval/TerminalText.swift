/// Text for a terminal with the user's strings made harmless: control characters (an escape sequence in a class
/// name or id could retitle the terminal, clear it or hide text) and bidirectional overrides become U+FFFD; line
/// breaks stay only in multi-line text (a report), so that an error or a warning stays one line.
func terminalSafe(_ text: String, keepingLineBreaks: Bool) -> String {
    func harmful(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A: !keepingLineBreaks
        case 0x09: false
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
    guard text.unicodeScalars.contains(where: harmful) else { return text }
    var safe = String.UnicodeScalarView()
    for scalar in text.unicodeScalars { safe.append(harmful(scalar) ? "\u{FFFD}" : scalar) }
    return String(safe)
}
