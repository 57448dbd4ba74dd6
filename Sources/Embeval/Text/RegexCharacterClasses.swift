/// `\p{L}`, `\p{N}` and `\s` as Oniguruma in Hugging Face `tokenizers` 0.23 matches them: its tables are Unicode 16.0,
/// so characters Swift knows from later Unicode versions are unassigned there (checked over every code point).
enum RegexCharacterClass {
    /// `\p{L}`: general category Lu, Ll, Lt, Lm or Lo.
    static func isLetter(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x80 { return (s.value | 0x20) >= 0x61 && (s.value | 0x20) <= 0x7A }
        let p = s.properties
        switch p.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return known(p)
        default: return false
        }
    }

    /// `\p{N}`: general category Nd, Nl or No.
    static func isNumber(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x80 { return s.value >= 0x30 && s.value <= 0x39 }
        let p = s.properties
        switch p.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return known(p)
        default: return false
        }
    }

    /// `\s`: the White_Space property (25 characters).
    static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x80 { return s.value == 0x20 || (s.value >= 0x09 && s.value <= 0x0D) }
        return s.properties.isWhitespace
    }

    /// Assigned by Unicode 16.0.
    static func known(_ p: Unicode.Scalar.Properties) -> Bool {
        guard let age = p.age else { return false }
        return age.major < 16 || (age.major == 16 && age.minor == 0)
    }
}

extension RegexCharacterClass {
    /// `\w`: letters, marks, decimal digits, connector punctuation, other alphabetics and the joiners (Unicode 16.0).
    static func isWord(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x80 {
            return isLetter(s) || (s.value >= 0x30 && s.value <= 0x39) || s == "_"
        }
        let p = s.properties
        guard known(p) else { return false }
        switch p.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .nonspacingMark,
             .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation:
            return true
        default:
            return p.isAlphabetic || p.isJoinControl
        }
    }
}
