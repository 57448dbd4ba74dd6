import Foundation

/// A JSON document written to a file a piece at a time: its number arrays (millions of values in a saved map of a
/// million points) go straight to disk as text, where `JSONEncoder` would first build a tree of every value —
/// several times the file's size in memory. Small parts are still encoded by `JSONEncoder`; `JSONDecoder` reads
/// the whole back.
indirect enum StreamedJSON {
    /// A value `JSONEncoder` has written.
    case encoded(Data)
    case floats([Float])
    case integers([Int32])
    /// Members in order; nil values are left out, as `encodeIfPresent` does.
    case object([(key: String, value: StreamedJSON?)])

    /// A small value, through `JSONEncoder`.
    static func encoding<T: Encodable>(_ value: T) throws -> StreamedJSON {
        do { return .encoded(try JSONEncoder().encode(value)) } catch {
            throw StreamedJSONError(reason: "cannot encode \(T.self): \(error)")
        }
    }

    /// Writes the document, whole or not at all (`OutputFile`); a non-finite number refuses the write.
    func write(to path: String) throws {
        try OutputFile(path).write { emit in
            var text = JSONText()
            try text.append(self, at: "", emit: emit)
            try text.flush(emit)
        }
    }
}

/// A value JSON cannot hold (NaN, ±infinity), named by where it sits.
struct StreamedJSONError: UserError {
    let reason: String
    var description: String { reason }
}

/// The bytes of a document, handed on a megabyte at a time.
private struct JSONText {
    typealias Emit = (any ContiguousBytes) throws -> Void
    var buffer = [UInt8]()
    static let pieceSize = 1 << 20

    init() { buffer.reserveCapacity(Self.pieceSize + 64) }

    mutating func append(_ value: StreamedJSON, at path: String, emit: Emit) throws {
        switch value {
        case .encoded(let data):
            buffer.append(contentsOf: data)
        case .floats(let values):
            buffer.append(UInt8(ascii: "["))
            for (i, v) in values.enumerated() {
                guard v.isFinite else { throw StreamedJSONError(reason: "\(path)[\(i)] is \(v), which JSON cannot hold") }
                if i > 0 { buffer.append(UInt8(ascii: ",")) }
                buffer.append(contentsOf: v.description.utf8)
                if buffer.count >= Self.pieceSize { try flush(emit) }
            }
            buffer.append(UInt8(ascii: "]"))
        case .integers(let values):
            buffer.append(UInt8(ascii: "["))
            for (i, v) in values.enumerated() {
                if i > 0 { buffer.append(UInt8(ascii: ",")) }
                buffer.append(contentsOf: String(v).utf8)
                if buffer.count >= Self.pieceSize { try flush(emit) }
            }
            buffer.append(UInt8(ascii: "]"))
        case .object(let members):
            buffer.append(UInt8(ascii: "{"))
            var first = true
            for (key, member) in members {
                guard let member else { continue }
                if !first { buffer.append(UInt8(ascii: ",")) }
                first = false
                try append(.encoding(key), at: path, emit: emit)
                buffer.append(UInt8(ascii: ":"))
                try append(member, at: path.isEmpty ? key : path + "." + key, emit: emit)
            }
            buffer.append(UInt8(ascii: "}"))
        }
        if buffer.count >= Self.pieceSize { try flush(emit) }
    }

    mutating func flush(_ emit: Emit) throws {
        guard !buffer.isEmpty else { return }
        try emit(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
