/// Why an image could not be read: one line naming the file and the problem, ready for the user.
public struct ImageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file (or other source) the image came from.
    public var path: String
    /// What went wrong, e.g. `Premature end of JPEG file`.
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "cannot decode image '\(path)': \(reason)" }
}
