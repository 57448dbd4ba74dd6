/// Text for a terminal with the user's strings made harmless: control characters (an escape sequence in a class
/// name or id could retitle the terminal, clear it or hide text; a carriage return overwrites the line) and
/// bidirectional overrides (`altersDisplayedText`) become U+FFFD; line breaks stay only in multi-line text (a
/// report), so that an error or a warning stays one line.
func terminalSafe(_ text: String, keepingLineBreaks: Bool) -> String {
    func harmful(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value == 0x0A ? !keepingLineBreaks : scalar.altersDisplayedText || scalar.value == 0x0D
    }
    guard text.unicodeScalars.contains(where: harmful) else { return text }
    var safe = String.UnicodeScalarView()
    for scalar in text.unicodeScalars { safe.append(harmful(scalar) ? "\u{FFFD}" : scalar) }
    return String(safe)
}

/// `line` at most `limit` characters long: a longer one (a user's 500 KB class name echoed in a message) keeps its
/// start, which names what failed, and its end, which says why, around a count of what was left out.
func boundedLine(_ line: String, limit: Int = 4_000) -> String {
    guard line.count > limit else { return line }
    let head = limit * 2 / 3, tail = limit / 4
    return "\(line.prefix(head)) … (\(line.count - head - tail) characters left out) … \(line.suffix(tail))"
}
