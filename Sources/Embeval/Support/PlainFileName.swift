import Foundation

extension String {
    /// Whether the text, read from a file, can name an entry inside a folder and only there: not empty, not `.` or
    /// `..`, no `/` and no NUL.
    var isPlainFileName: Bool {
        !isEmpty && self != "." && self != ".." && !contains("/") && !contains("\0")
    }
}
