/// Text made safe for XML/SVG (and HTML) character data and attribute values: `& < > " '` become entities;
/// characters XML 1.0 forbids (C0 controls other than tab, newline, carriage return; U+FFFE/U+FFFF) and those that
/// would reorder or hide the text after them (`altersDisplayedText`: C1 controls, bidirectional overrides) become U+FFFD.
func xmlEscaped(_ s: String) -> String {
    var out = String.UnicodeScalarView()
    for scalar in s.unicodeScalars {
        switch scalar {
        case "&": out.append(contentsOf: "&amp;".unicodeScalars)
        case "<": out.append(contentsOf: "&lt;".unicodeScalars)
        case ">": out.append(contentsOf: "&gt;".unicodeScalars)
        case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
        case "'": out.append(contentsOf: "&#39;".unicodeScalars)
        case "\t", "\n", "\r": out.append(scalar)
        case let c where c.altersDisplayedText || c.value == 0xFFFE || c.value == 0xFFFF: out.append("\u{FFFD}")
        default: out.append(scalar)
        }
    }
    return String(out)
}

/// `v` with at most one decimal, no trailing ".0" and no "-0": the compact coordinates of the SVG plots.
func svgNumber(_ v: Double) -> String {
    guard v.isFinite else { return "0" }
    let tenths = Int((v * 10).rounded())
    let negative = tenths < 0, magnitude = negative ? -tenths : tenths
    let whole = magnitude / 10, fraction = magnitude % 10
    var s = negative ? "-" : ""
    s += String(whole)
    if fraction != 0 { s += "." + String(fraction) }
    return s
}
