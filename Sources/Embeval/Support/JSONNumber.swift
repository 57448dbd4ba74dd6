import Foundation

extension NSNumber {
    /// Whether JSONSerialization made this from `true` or `false`. A JSON 0 or 1 also passes `is Bool` (seen on Linux;
    /// NSNumber bridging does so on Darwin too), and a `true` passes `as? NSNumber`, so `is Bool` cannot tell them
    /// apart; the Boolean's type code ("c") can (numbers come as "q" or "d").
    var isJSONBoolean: Bool { String(cString: objCType) == "c" }
}

/// A JSONSerialization value that is a JSON number: never `true`/`false`, never a string.
func jsonNumber(_ value: Any?) -> NSNumber? {
    guard let number = value as? NSNumber, !number.isJSONBoolean else { return nil }
    return number
}
