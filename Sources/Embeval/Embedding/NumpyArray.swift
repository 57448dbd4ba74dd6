import Foundation

/// Reading and writing NumPy's `.npy` format (version 1.0/2.0/3.0 headers, C order, little-endian numbers).
///
/// Embeval writes float32 matrices and int64 label vectors; it reads float16/32/64 and int8–64/uint8 arrays,
/// converting to `Float` / `Int`, so embeddings saved by PyTorch or NumPy load without a conversion step.
public enum NumpyArray {
    public struct Header: Equatable, Sendable {
        public var descr: String
        public var shape: [Int]
    }

    // MARK: Writing

    public static func write(_ matrix: Matrix, to url: URL) throws {
        var body = Data(capacity: matrix.values.count * 4)
        matrix.values.withUnsafeBytes { body.append(contentsOf: $0) }  // float32, little-endian as the header says
        try write(descr: "<f4", shape: [matrix.rows, matrix.columns], body: body, to: url)
    }

    public static func write(labels: [Int], to url: URL) throws {
        var body = Data(capacity: labels.count * 8)
        for v in labels { withUnsafeBytes(of: Int64(v).littleEndian) { body.append(contentsOf: $0) } }
        try write(descr: "<i8", shape: [labels.count], body: body, to: url)
    }

    /// A `rows × columns` int64 matrix (neighbour indices).
    public static func write(integers values: [Int], rows: Int, columns: Int, to url: URL) throws {
        var body = Data(capacity: values.count * 8)
        for v in values { withUnsafeBytes(of: Int64(v).littleEndian) { body.append(contentsOf: $0) } }
        try write(descr: "<i8", shape: [rows, columns], body: body, to: url)
    }

    static func write(descr: String, shape: [Int], body: Data, to url: URL) throws {
        try OutputFile(url.path).write(header(descr: descr, shape: shape) + body)
    }

    /// The bytes before the data: magic, version 1.0, header length, and the header dictionary padded with spaces
    /// and a final newline to a multiple of 64 bytes, as NumPy writes it.
    static func header(descr: String, shape: [Int]) -> Data {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        // Magic (6) + version (2) + header length (2) + header, padded with spaces and ending in \n to a multiple of 64.
        let unpadded = 10 + dict.utf8.count + 1
        dict += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93]) + Data("NUMPY".utf8) + Data([1, 0])
        let length = UInt16(dict.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xff), UInt8(length >> 8)])
        data.append(Data(dict.utf8))
        return data
    }

    // MARK: Reading

    /// A 2-D (or 1-D, read as one column) numeric array as a float matrix. Values that would take more than half of
    /// `memoryBytes` as float32 are refused before they are decoded.
    public static func readMatrix(at url: URL, memoryBytes: Int = ProcessMemory.limit) throws -> Matrix {
        let (header, payload) = try read(url)
        guard header.shape.count == 2 || header.shape.count == 1 else {
            throw EmbeddingError.malformedFile(path: url.path, location: nil, reason: "expected a 2-D array (N×d), got shape \(header.shape)")
        }
        let rows = header.shape[0], columns = header.shape.count == 2 ? header.shape[1] : 1
        let values = try decodeFloats(header, payload, file: url, memoryBytes: memoryBytes)
        return Matrix(rows: rows, columns: columns, values: values)
    }

    /// A numeric array of any rank as a float tensor.
    public static func readTensor(at url: URL, memoryBytes: Int = ProcessMemory.limit) throws -> Tensor {
        let (header, payload) = try read(url)
        return Tensor(shape: header.shape, values: try decodeFloats(header, payload, file: url, memoryBytes: memoryBytes))
    }

    /// A 1-D integer array (labels).
    public static func readLabels(at url: URL) throws -> [Int] {
        let (header, payload) = try read(url)
        guard header.shape.count == 1 || (header.shape.count == 2 && header.shape[1] == 1) else {
            throw EmbeddingError.malformedFile(path: url.path, location: nil, reason: "expected a 1-D label array, got shape \(header.shape)")
        }
        guard let kind = header.descr.dropFirst().first, "iub".contains(kind) else {
            throw EmbeddingError.malformedFile(path: url.path, location: nil, reason: "expected integer labels, got dtype '\(header.descr)'")
        }
        return try decodeIntegers(header, payload, file: url)
    }

    /// A 2-D integer array (neighbour indices), with its shape.
    public static func readIntegerMatrix(at url: URL) throws -> (rows: Int, columns: Int, values: [Int]) {
        let (header, payload) = try read(url)
        guard header.shape.count == 2 else {
            throw EmbeddingError.malformedFile(path: url.path, location: nil, reason: "expected a 2-D integer array, got shape \(header.shape)")
        }
        guard let kind = header.descr.dropFirst().first, "iu".contains(kind) else {
            throw EmbeddingError.malformedFile(path: url.path, location: nil, reason: "expected integers, got dtype '\(header.descr)'")
        }
        return (header.shape[0], header.shape[1], try decodeIntegers(header, payload, file: url))
    }

    /// The file mapped when it can be (its pages are read as the values are decoded, never copied whole).
    static func read(_ url: URL) throws -> (Header, Data) {
        guard FileManager.default.fileExists(atPath: url.path),
              let data = try? Data(contentsOf: url, options: .mappedIfSafe) else {
            throw EmbeddingError.unreadable(path: url.path, reason: "no such file")
        }
        return try parse(data, file: url)
    }

    /// Splits a whole `.npy` file into its header and its data bytes (a slice of `data`, not a copy).
    static func parse(_ data: Data, file: URL) throws -> (Header, Data) {
        let (header, offset) = try parsePrefix(data, file: file)
        return (header, data[(data.startIndex + offset)...])
    }

    /// The header of a `.npy` file from its first bytes (at least the whole header), and where its data begins.
    static func parsePrefix(_ data: Data, file: URL) throws -> (header: Header, dataOffset: Int) {
        let bytes = [UInt8](data.prefix(12))
        guard bytes.count >= 10, bytes[0] == 0x93, Data(bytes[1..<6]) == Data("NUMPY".utf8) else {
            throw EmbeddingError.malformedFile(path: file.path, location: nil, reason: "not a .npy file (bad magic)")
        }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        if major == 1 {
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8; headerStart = 10
        } else {
            guard bytes.count >= 12 else { throw EmbeddingError.malformedFile(path: file.path, location: nil, reason: "truncated .npy header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24; headerStart = 12
        }
        let base = data.startIndex
        guard data.count >= headerStart + headerLength,
              let text = String(data: data.subdata(in: (base + headerStart)..<(base + headerStart + headerLength)), encoding: .utf8) else {
            throw EmbeddingError.malformedFile(path: file.path, location: nil, reason: "truncated .npy header")
        }
        return (try parseHeader(text, file: file), headerStart + headerLength)
    }

    /// The header's Python dict literal, read as NumPy reads it: either quote style, exactly the keys `descr`,
    /// `fortran_order` and `shape`, each once (NumPy refuses other keys; a repeated one is refused here, where NumPy
    /// would take the last).
    static func parseHeader(_ text: String, file: URL) throws -> Header {
        func fail(_ reason: String) -> EmbeddingError { .malformedFile(path: file.path, location: nil, reason: reason) }
        let keys = ["descr", "fortran_order", "shape"]
        let expected = "(a .npy header has 'descr', 'fortran_order' and 'shape')"
        var scanner = NumpyHeaderScanner(bytes: Array(text.utf8))
        guard let entries = scanner.dict() else { throw fail(".npy header: not a dict literal") }
        var values = [String: NumpyHeaderScanner.Value]()
        for (key, value) in entries {
            guard keys.contains(key) else { throw fail(".npy header: key '\(key.prefix(40))' \(expected)") }
            guard values.updateValue(value, forKey: key) == nil else { throw fail(".npy header: key '\(key)' given twice") }
        }
        if let missing = keys.first(where: { values[$0] == nil }) { throw fail(".npy header: no key '\(missing)' \(expected)") }
        guard case .string(let descr)? = values["descr"] else {
            throw fail(".npy header: 'descr' is not a dtype string (structured arrays are not supported)")
        }
        guard case .bool(let fortran)? = values["fortran_order"] else { throw fail(".npy header: 'fortran_order' is not True or False") }
        if fortran { throw fail("Fortran-order arrays are not supported; save with np.ascontiguousarray") }
        guard case .tuple(let items)? = values["shape"] else { throw fail(".npy header: 'shape' is not a tuple") }
        let shape = items.compactMap { Int($0) }
        guard shape.count == items.count, shape.allSatisfy({ $0 >= 0 }) else {
            throw fail("shape (\(items.joined(separator: ", ").prefix(80))) is not a tuple of non-negative integers")
        }
        return Header(descr: descr, shape: shape)
    }

    /// The element width of a dtype such as `<f4`, and the number of elements the shape declares, checked against
    /// the data bytes present (without overflowing on absurd shapes).
    static func layout(_ header: Header, _ payload: Data, file: URL) throws -> (kind: Character, size: Int, count: Int) {
        let descr = header.descr
        guard descr.count >= 3, let order = descr.first, let kind = descr.dropFirst().first,
              let size = Int(descr.dropFirst(2)), [1, 2, 4, 8].contains(size) else {
            throw EmbeddingError.malformedFile(path: file.path, location: nil, reason: "unsupported dtype '\(descr)'")
        }
        guard order == "<" || order == "|" || order == "=" else {
            throw EmbeddingError.malformedFile(path: file.path, location: nil, reason: "big-endian dtype '\(descr)' is not supported")
        }
        let available = payload.count / size
        var count = 1
        for dimension in header.shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow, product <= available || dimension == 0 else {
                throw EmbeddingError.malformedFile(path: file.path, location: nil, reason: "shape \(header.shape) needs more than the \(payload.count) data bytes present")
            }
            count = product
        }
        guard count <= available else {   // a scalar's shape () still needs one element
            throw EmbeddingError.malformedFile(path: file.path, location: nil, reason: "holds \(payload.count) data bytes, shape \(header.shape) needs \(count * size)")
        }
        return (kind, size, count)
    }

    /// The values as float32, decoded straight from the file's bytes; refused before any allocation when they would
    /// take more than half of `memoryBytes`.
    static func decodeFloats(_ header: Header, _ payload: Data, file: URL, memoryBytes: Int) throws -> [Float] {
        let (kind, size, count) = try layout(header, payload, file: file)
        if count > memoryBytes / 2 / 4 {
            let names = ["f2": "float16", "f4": "float32", "f8": "float64"]
            let shape = header.shape.map(String.init).joined(separator: "×")
            throw EmbeddingError.malformedFile(path: file.path, location: nil, reason: "\(shape) \(names["\(kind)\(size)"] ?? "'\(header.descr)'") values read as float32 would take \(ProcessMemory.readable(count * 4)) in memory, more than half of the \(ProcessMemory.readable(memoryBytes)) this process may use; store them as float32, which is read memory-mapped")
        }
        return try payload.withUnsafeBytes { raw -> [Float] in
            switch (kind, size) {
            case ("f", 4): return (0..<count).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) }
            case ("f", 8): return (0..<count).map { Float(raw.loadUnaligned(fromByteOffset: $0 * 8, as: Double.self)) }
            case ("f", 2): return (0..<count).map { Float(float16Bits: raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self)) }
            case ("i", _), ("u", _), ("b", 1): return try integers(raw, kind: kind, size: size, count: count, file: file, descr: header.descr).map(Float.init)
            default: throw EmbeddingError.malformedFile(path: file.path, location: nil, reason: "unsupported dtype '\(header.descr)'")
            }
        }
    }

    static func decodeIntegers(_ header: Header, _ payload: Data, file: URL) throws -> [Int] {
        let (kind, size, count) = try layout(header, payload, file: file)
        return try payload.withUnsafeBytes { try integers($0, kind: kind, size: size, count: count, file: file, descr: header.descr) }
    }

    private static func integers(_ raw: UnsafeRawBufferPointer, kind: Character, size: Int, count: Int, file: URL,
                                 descr: String) throws -> [Int] {
        switch (kind, size) {
        case ("i", 8): return (0..<count).map { Int(raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
        case ("i", 4): return (0..<count).map { Int(raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self)) }
        case ("i", 2): return (0..<count).map { Int(raw.loadUnaligned(fromByteOffset: $0 * 2, as: Int16.self)) }
        case ("i", 1): return (0..<count).map { Int(raw.loadUnaligned(fromByteOffset: $0, as: Int8.self)) }
        case ("u", 1), ("b", 1): return (0..<count).map { Int(raw[$0]) }
        case ("u", 2): return (0..<count).map { Int(raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self)) }
        case ("u", 4): return (0..<count).map { Int(raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)) }
        case ("u", 8):
            return try (0..<count).map {
                let v = raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self)
                guard v <= UInt64(Int.max) else {
                    throw EmbeddingError.malformedFile(path: file.path, location: "element \($0)", reason: "value \(v) does not fit a signed 64-bit integer")
                }
                return Int(v)
            }
        default: throw EmbeddingError.malformedFile(path: file.path, location: nil, reason: "unsupported dtype '\(descr)'")
        }
    }
}

extension Float {
    /// IEEE half → single, for `<f2` arrays.
    init(float16Bits h: UInt16) {
        let sign = UInt32(h >> 15) << 31, exp = Int(h >> 10) & 0x1f, mant = UInt32(h & 0x3ff)
        if exp == 0 {
            self = (sign != 0 ? -1 : 1) * Float(mant) * Float(sign: .plus, exponent: -24, significand: 1)
        } else if exp == 31 {
            self = Float(bitPattern: sign | 0x7f80_0000 | (mant << 13))
        } else {
            self = Float(bitPattern: sign | UInt32(exp - 15 + 127) << 23 | (mant << 13))
        }
    }
}
