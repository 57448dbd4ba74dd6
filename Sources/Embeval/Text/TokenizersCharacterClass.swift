/// The character classes `tokenizers`' Rust normalizers and pre-tokenizers test, each from the Unicode tables of the
/// crate that defines it there (checked against `tokenizers` 0.23 over every code point; see TokenizerEngineTests):
/// punctuation, "other" and BERT's accents from Unicode 8.0, combining marks from Unicode 9.0, numbers and whitespace from Rust's
/// standard library (current Unicode).
enum TokenizersCharacterClass {
    /// Rust's `char::is_whitespace`: the White_Space property.
    static func isWhitespace(_ s: Unicode.Scalar) -> Bool { RegexCharacterClass.isWhitespace(s) }

    /// Rust's `char::is_numeric`: general category Nd, Nl or No.
    static func isNumeric(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x80 { return s.value >= 0x30 && s.value <= 0x39 }
        switch s.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    /// BERT's punctuation (`BertPreTokenizer`, `Punctuation`): ASCII punctuation or a Unicode 8.0 P* character.
    static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x80 {
            return (0x21...0x2F).contains(s.value) || (0x3A...0x40).contains(s.value) || (0x5B...0x60).contains(s.value)
                || (0x7B...0x7E).contains(s.value)
        }
        // Punctuation in Unicode 8.0, recategorised since (U+166D to So, U+111C9 to Mn).
        if s.value == 0x166D || s.value == 0x111C9 { return true }
        let p = s.properties
        guard assigned(p, by: 8) else { return false }
        switch p.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// BERT's control characters, which `clean_text` drops: Unicode 8.0 Cc, Cf, Co or Cs, except tab, newline and
    /// carriage return (which are whitespace).
    static func isControl(_ s: Unicode.Scalar) -> Bool {
        if s == "\t" || s == "\n" || s == "\r" { return false }
        let p = s.properties
        guard assigned(p, by: 8) else { return false }
        switch p.generalCategory {
        case .control, .format, .privateUse, .surrogate: return true
        default: return false
        }
    }

    /// A combining mark (`StripAccents`, BERT's accent stripping): general category M* in Unicode 9.0.
    static func isCombiningMark(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x300 { return false }
        // Marks in Unicode 9.0 recategorised since (U+1CF2/3 to Lo), and U+111C9 (Po in 9.0, Mn now).
        if s.value == 0x1CF2 || s.value == 0x1CF3 { return true }
        if s.value == 0x111C9 { return false }
        let p = s.properties
        guard assigned(p, by: 9) else { return false }
        switch p.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }

    /// BERT's accent test (`strip_accents` in BertNormalizer): general category Mn in Unicode 8.0.
    static func isNonspacingMark(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x300 { return false }
        // Mn in Unicode 8.0, Mc since (U+1734, U+1171E); not Mn in 8.0, Mn since (U+1885/6 Lo, U+A9BD Mc, U+111C9 Po).
        switch s.value {
        case 0x1734, 0x1171E: return true
        case 0x1885, 0x1886, 0xA9BD, 0x111C9: return false
        default: break
        }
        let p = s.properties
        return assigned(p, by: 8) && p.generalCategory == .nonspacingMark
    }

    /// BERT's CJK ideographs (`handle_chinese_chars` puts spaces around them): the CJK Unified Ideographs blocks and
    /// extensions A–E, and the compatibility ideographs.
    static func isChineseCharacter(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
             0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }

    private static func assigned(_ p: Unicode.Scalar.Properties, by major: Int) -> Bool {
        guard let age = p.age else { return false }
        return age.major <= major
    }
}
