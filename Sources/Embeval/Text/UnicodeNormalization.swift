@_spi(_Unicode) import Swift
import Foundation

/// NFC/NFD as `tokenizers` 0.23 computes them. Its normalisation tables are Unicode 9.0: a character assigned later
/// is, to it, an inert starter that nothing reorders or composes across — so the text is cut at such characters and
/// the pieces normalised with the standard library's (current, stable-for-old-characters) algorithm. Foundation's
/// `precomposedStringWithCanonicalMapping` is not used: on Linux it composes a supplementary-plane character with a
/// following mark as if it were its low 16 bits (U+10077 U+0308 → ẅ).
enum UnicodeNormalization {
    static func nfc(_ text: String) -> String {
        // Below U+0300 every character is already NFC and nothing composes with it backwards.
        if text.unicodeScalars.allSatisfy({ $0.value < 0x300 }) { return text }
        return normalize(text, composed: true)
    }

    static func nfd(_ text: String) -> String {
        if text.unicodeScalars.allSatisfy({ $0.value < 0xC0 }) { return text }
        return normalize(text, composed: false)
    }

    /// NFKC: the compatibility decomposition, then canonical composition (Foundation's own NFKC is not used for the
    /// reason NFC avoids it).
    static func nfkc(_ text: String) -> String {
        if text.unicodeScalars.allSatisfy({ $0.value < 0xA0 }) { return text }
        return normalize(text, composed: true, compatibility: true)
    }

    static func nfkd(_ text: String) -> String {
        if text.unicodeScalars.allSatisfy({ $0.value < 0xA0 }) { return text }
        return normalize(text, composed: false, compatibility: true)
    }

    private static func normalize(_ text: String, composed: Bool, compatibility: Bool = false) -> String {
        var out = String.UnicodeScalarView(), piece = String.UnicodeScalarView()
        func flush() {
            guard !piece.isEmpty else { return }
            let source = compatibility ? String(piece).decomposedStringWithCompatibilityMapping : String(piece)
            out.append(contentsOf: standard(source, composed: composed))
            piece.removeAll(keepingCapacity: true)
        }
        for s in text.unicodeScalars {
            if knownToTokenizers(s) {
                piece.append(s)
            } else {
                flush()
                out.append(s)
            }
        }
        flush()
        return String(out)
    }

    private static func standard(_ text: String, composed: Bool) -> [Unicode.Scalar] {
        if #available(macOS 13.0, iOS 16.0, watchOS 9.0, tvOS 16.0, *) {
            return composed ? Array(text._nfc) : Array(text._nfd)
        }
        let fallback = composed ? text.precomposedStringWithCanonicalMapping : text.decomposedStringWithCanonicalMapping
        return Array(fallback.unicodeScalars)
    }

    /// Assigned by Unicode 9.0.
    private static func knownToTokenizers(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x300 { return true }
        guard let age = s.properties.age else { return false }
        return age.major < 9 || (age.major == 9 && age.minor == 0)
    }
}
