/// Everything that can go wrong reading an image or its preprocessing; each description is one line naming the
/// file and the problem.
public enum ImageError: UserError, Equatable {
    /// An image file that cannot be decoded, as Pillow would refuse it (e.g. `Premature end of JPEG file`).
    case undecodable(path: String, reason: String)
    /// A `preprocessor_config.json` that cannot be used: the file and the field or value at fault.
    case invalidPreprocessorConfig(path: String, reason: String)
    /// An image whose header declares more pixels than allowed (a decompression bomb), refused before decoding.
    case tooManyPixels(path: String, width: Int, height: Int, limit: Int)
    /// An image within the pixel limit whose decode (`needed` bytes) would not fit in the memory the process may use.
    case tooLargeForMemory(path: String, width: Int, height: Int, needed: Int, available: Int)
    /// An image size or limit outside what can be processed.
    case invalidLimit(String)

    /// An image that cannot be decoded.
    public init(path: String, reason: String) { self = .undecodable(path: path, reason: reason) }

    /// The file the problem is in.
    public var path: String {
        switch self {
        case .undecodable(let path, _), .invalidPreprocessorConfig(let path, _), .tooManyPixels(let path, _, _, _),
             .tooLargeForMemory(let path, _, _, _, _): path
        case .invalidLimit: ""
        }
    }

    /// What is wrong with it.
    public var reason: String {
        switch self {
        case .undecodable(_, let reason), .invalidPreprocessorConfig(_, let reason), .invalidLimit(let reason): reason
        case .tooManyPixels, .tooLargeForMemory: description
        }
    }

    public var description: String {
        switch self {
        case .undecodable(let path, let reason): "cannot decode image '\(path)': \(reason)"
        case .invalidPreprocessorConfig(let path, let reason): "invalid preprocessor config '\(path)': \(reason)"
        case .tooManyPixels(let path, let width, let height, let limit):
            "image '\(path)' is \(width)×\(height) = \(width * height) pixels, more than the \(limit) allowed (a decompression bomb?): raise --max-image-pixels to read it"
        case .tooLargeForMemory(let path, let width, let height, let needed, let available):
            "image '\(path)' is \(width)×\(height) pixels: decoding it takes about \(ProcessMemory.readable(needed)), more than the \(ProcessMemory.readable(available)) of memory this process may use"
        case .invalidLimit(let reason): reason
        }
    }
}
