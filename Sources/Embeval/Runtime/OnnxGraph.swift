import Foundation

/// The parts of an ONNX model file (`ModelProto`) that inspecting a backbone needs: opsets, the graph's nodes,
/// declared inputs/outputs and its initialisers' names, shapes and where their data is.
///
/// Read with the bounds-checked protobuf reader, so a corrupt file is an error, never a crash. Tensor data is not
/// copied: an initialiser records the byte range of its `raw_data` in the file (or that it lives in external data).
public struct OnnxGraph: Sendable {
    /// One operator application.
    public struct Node: Sendable {
        public var opType: String
        public var domain: String
        public var name: String
        public var inputs: [String]
        public var outputs: [String]
        /// Float and integer attributes by name (`epsilon`, `axis`, `kernel_shape`…).
        public var floats: [String: Float] = [:]
        public var ints: [String: [Int]] = [:]
        /// A `Constant` node's value.
        public var tensor: Initializer?
    }

    /// A constant tensor of the graph: its shape and element type, and where its values are.
    public struct Initializer: Sendable {
        public var name: String
        public var dims: [Int]
        /// ONNX `TensorProto.DataType` (1 = float32, 10 = float16, 7 = int64…).
        public var dataType: Int
        /// Where `raw_data` lies in the model file's bytes, when inline.
        var rawData: Range<Int>?
        /// `float_data` values, for writers that do not use `raw_data`.
        var floatData: [Float] = []
        /// `external_data` entries (`location`, `offset`, `length`) when the data lives beside the model.
        var external: [String: String] = [:]
    }

    /// A declared graph input or output with its shape (nil dimension: symbolic or unknown).
    public struct Value: Sendable {
        public var name: String
        public var elementType: Int?
        public var shape: [Int?]?
        /// Symbolic dimension names where the file gives them (`batch_size`), in shape order.
        public var symbols: [String?]
    }

    public var irVersion: Int
    public var producer: String
    /// Operator set versions by domain ("" = the default ONNX domain).
    public var opsets: [String: Int]
    public var nodes: [Node]
    public var initializers: [String: Initializer]
    public var inputs: [Value]
    public var outputs: [Value]
    /// The file's bytes (shared, not copied), from which initialiser data is read.
    let bytes: [UInt8]
    /// The file the graph came from (external data is relative to its folder).
    public let path: String

    /// Reads `path`; a file that is not a well-formed ONNX model gives `RuntimeError.invalidModel`.
    public init(contentsOf path: String) throws(RuntimeError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RuntimeError.modelNotFound(path: path, reason: "cannot read the file")
        }
        try self.init(bytes: [UInt8](data), path: path)
    }

    public init(bytes: [UInt8], path: String) throws(RuntimeError) {
        self.bytes = bytes
        self.path = path
        irVersion = 0
        producer = ""
        opsets = [:]
        nodes = []
        initializers = [:]
        inputs = []
        outputs = []
        do {
            var sawGraph = false
            var reader = ProtobufReader(bytes)
            while let field = try reader.nextField() {
                switch (field.number, field.type) {
                case (1, .varint): irVersion = Int(truncatingIfNeeded: try reader.readVarint())
                case (2, .lengthDelimited): producer = try reader.readString()
                case (7, .lengthDelimited):
                    var graph = try reader.readMessage()
                    try readGraph(&graph)
                    sawGraph = true
                case (8, .lengthDelimited):
                    var opset = try reader.readMessage()
                    var domain = "", version = 0
                    while let f = try opset.nextField() {
                        switch (f.number, f.type) {
                        case (1, .lengthDelimited): domain = try opset.readString()
                        case (2, .varint): version = Int(truncatingIfNeeded: try opset.readVarint())
                        default: try opset.skip(f.type)
                        }
                    }
                    opsets[domain] = version
                default: try reader.skip(field.type)
                }
            }
            guard sawGraph else { throw ProtobufReader.Failure(description: "it holds no graph") }
        } catch let failure as ProtobufReader.Failure {
            throw RuntimeError.invalidModel(path: path, reason: "not a readable ONNX model: \(failure.description)")
        } catch {
            throw RuntimeError.invalidModel(path: path, reason: "not a readable ONNX model")
        }
    }

    /// The default-domain opset (the one that decides operator semantics), 0 when absent.
    public var opset: Int { opsets[""] ?? opsets["ai.onnx"] ?? 0 }

    // MARK: - Adding outputs

    /// The model's bytes with `names` added as graph outputs (untyped: the runtime infers them).
    ///
    /// Protobuf merges a repeated embedded message field, so appending a second `graph` field holding only
    /// `output` entries is the same as listing them in the graph: the file is not re-encoded, and stays
    /// byte for byte the user's up to its end. Names already declared as outputs are left out.
    public func addingOutputs(_ names: [String]) -> [UInt8] {
        let declared = Set(outputs.map(\.name))
        var graph = [UInt8]()
        var added = Set<String>()
        for name in names where !declared.contains(name) && added.insert(name).inserted {
            let valueInfo = Self.lengthDelimited(field: 1, Array(name.utf8))
            graph += Self.lengthDelimited(field: 12, valueInfo)
        }
        return graph.isEmpty ? bytes : bytes + Self.lengthDelimited(field: 7, graph)
    }

    private static func lengthDelimited(field: Int, _ payload: [UInt8]) -> [UInt8] {
        varint(UInt64(field << 3 | 2)) + varint(UInt64(payload.count)) + payload
    }

    private static func varint(_ value: UInt64) -> [UInt8] {
        var value = value, out = [UInt8]()
        repeat {
            let low = UInt8(value & 0x7F)
            value >>= 7
            out.append(value == 0 ? low : low | 0x80)
        } while value != 0
        return out
    }

    // MARK: - Initialiser data

    /// A float32 (or float16) initialiser's values, from inline or external data; nil if its data cannot be read.
    public func floatValues(of initializer: Initializer) -> [Float]? {
        if !initializer.floatData.isEmpty { return initializer.floatData }
        let width = initializer.dataType == 1 ? 4 : initializer.dataType == 10 ? 2 : 0
        guard width > 0, let count = Self.elementCount(initializer.dims), count <= 1 << 28 else { return nil }
        let raw: [UInt8]
        if let range = initializer.rawData {
            raw = Array(bytes[range])
        } else if let location = initializer.external["location"] {
            guard let data = Self.externalData(location: location, offset: initializer.external["offset"],
                                               length: initializer.external["length"], modelPath: path) else { return nil }
            raw = data
        } else {
            return nil
        }
        guard raw.count == count * width else { return nil }
        return (0..<count).map { i in
            let b = i * width
            if width == 4 {
                return Float(bitPattern: UInt32(raw[b]) | UInt32(raw[b + 1]) << 8 | UInt32(raw[b + 2]) << 16 | UInt32(raw[b + 3]) << 24)
            }
            return HalfFloat.float(fromHalfBits: UInt16(raw[b]) | UInt16(raw[b + 1]) << 8)
        }
    }

    /// The values of a constant named `name` — an initialiser or a `Constant` node's output, possibly passed on
    /// through `Identity` nodes (torch exports share weights that way) — if it is one.
    public func constantValues(_ name: String) -> [Float]? {
        switch constant(name) {
        case .tensor(let t)?: return floatValues(of: t)
        case .value(let v)?: return [v]
        case nil: return nil
        }
    }

    /// The value of a constant of one element (an epsilon), without decoding a larger one.
    public func constantScalar(_ name: String) -> Float? {
        switch constant(name) {
        case .tensor(let t)?:
            guard Self.elementCount(t.dims) == 1 else { return nil }   // a scalar's dims are [], one element
            return floatValues(of: t).flatMap { $0.count == 1 ? $0[0] : nil }
        case .value(let v)?: return v
        case nil: return nil
        }
    }

    private enum Constant { case tensor(Initializer), value(Float) }

    /// Where the constant `name` is held, through at most 8 `Identity` nodes.
    private func constant(_ name: String) -> Constant? {
        var name = name
        for _ in 0..<8 {
            if let initializer = initializers[name] { return .tensor(initializer) }
            guard let node = nodes.first(where: { $0.outputs.first == name }) else { return nil }
            switch node.opType {
            case "Constant":
                if let t = node.tensor { return .tensor(t) }
                return node.floats["value_float"].map(Constant.value)
            case "Identity":
                guard let input = node.inputs.first else { return nil }
                name = input
            default: return nil
            }
        }
        return nil
    }

    /// The number of elements `dims` declare; nil for a negative dimension or a product past `Int`.
    static func elementCount(_ dims: [Int]) -> Int? {
        var count = 1
        for d in dims {
            guard d >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            if overflow { return nil }
            count = product
        }
        return count
    }

    private static func externalData(location: String, offset: String?, length: String?, modelPath: String) -> [UInt8]? {
        // Only plain relative names beside the model: never an absolute path or one that climbs out of the folder.
        guard !location.hasPrefix("/"), !location.split(separator: "/").contains("..") else { return nil }
        let url = URL(fileURLWithPath: modelPath).deletingLastPathComponent().appendingPathComponent(location)
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        let start = offset.flatMap { UInt64($0) } ?? 0
        guard let size = try? handle.seekToEnd(), start <= size else { return nil }
        let count = length.flatMap { UInt64($0) } ?? (size - start)
        guard count <= size - start, count <= 1 << 30 else { return nil }
        do {
            try handle.seek(toOffset: start)
            return try [UInt8](handle.read(upToCount: Int(count)) ?? Data())
        } catch { return nil }
    }

    // MARK: - Reading

    private mutating func readGraph(_ reader: inout ProtobufReader) throws {
        while let field = try reader.nextField() {
            switch (field.number, field.type) {
            case (1, .lengthDelimited):
                var node = try reader.readMessage()
                nodes.append(try Self.readNode(&node))
            case (5, .lengthDelimited):
                var tensor = try reader.readMessage()
                let initializer = try Self.readTensor(&tensor)
                initializers[initializer.name] = initializer
            case (11, .lengthDelimited):
                var value = try reader.readMessage()
                inputs.append(try Self.readValue(&value))
            case (12, .lengthDelimited):
                var value = try reader.readMessage()
                outputs.append(try Self.readValue(&value))
            default: try reader.skip(field.type)
            }
        }
    }

    private static func readNode(_ reader: inout ProtobufReader) throws -> Node {
        var node = Node(opType: "", domain: "", name: "", inputs: [], outputs: [])
        while let field = try reader.nextField() {
            switch (field.number, field.type) {
            case (1, .lengthDelimited): node.inputs.append(try reader.readString())
            case (2, .lengthDelimited): node.outputs.append(try reader.readString())
            case (3, .lengthDelimited): node.name = try reader.readString()
            case (4, .lengthDelimited): node.opType = try reader.readString()
            case (7, .lengthDelimited): node.domain = try reader.readString()
            case (5, .lengthDelimited):
                var attribute = try reader.readMessage()
                try readAttribute(&attribute, into: &node)
            default: try reader.skip(field.type)
            }
        }
        return node
    }

    private static func readAttribute(_ reader: inout ProtobufReader, into node: inout Node) throws {
        var name = "", float: Float?, ints = [Int](), tensor: Initializer?
        while let field = try reader.nextField() {
            switch (field.number, field.type) {
            case (1, .lengthDelimited): name = try reader.readString()
            case (2, .fixed32): float = try reader.readFloat()
            case (3, .varint), (8, .varint): ints.append(Int(truncatingIfNeeded: Int64(bitPattern: try reader.readVarint())))
            case (8, .lengthDelimited):
                var packed = try reader.readMessage()
                while !packed.isAtEnd { ints.append(Int(truncatingIfNeeded: Int64(bitPattern: try packed.readVarint()))) }
            case (5, .lengthDelimited):
                var t = try reader.readMessage()
                tensor = try readTensor(&t)
            default: try reader.skip(field.type)
            }
        }
        if let float { node.floats[name] = float }
        if !ints.isEmpty { node.ints[name] = ints }
        if let tensor, name == "value" { node.tensor = tensor }
    }

    private static func readTensor(_ reader: inout ProtobufReader) throws -> Initializer {
        var t = Initializer(name: "", dims: [], dataType: 0)
        while let field = try reader.nextField() {
            switch (field.number, field.type) {
            case (1, .varint): t.dims.append(Int(truncatingIfNeeded: Int64(bitPattern: try reader.readVarint())))
            case (1, .lengthDelimited):
                var packed = try reader.readMessage()
                while !packed.isAtEnd { t.dims.append(Int(truncatingIfNeeded: Int64(bitPattern: try packed.readVarint()))) }
            case (2, .varint): t.dataType = Int(truncatingIfNeeded: try reader.readVarint())
            case (4, .fixed32): t.floatData.append(try reader.readFloat())
            case (4, .lengthDelimited):
                var packed = try reader.readMessage()
                while !packed.isAtEnd { t.floatData.append(try packed.readFloat()) }
            case (8, .lengthDelimited): t.name = try reader.readString()
            case (9, .lengthDelimited): t.rawData = try reader.readByteRange()
            case (13, .lengthDelimited):
                var entry = try reader.readMessage()
                var key = "", value = ""
                while let f = try entry.nextField() {
                    switch (f.number, f.type) {
                    case (1, .lengthDelimited): key = try entry.readString()
                    case (2, .lengthDelimited): value = try entry.readString()
                    default: try entry.skip(f.type)
                    }
                }
                t.external[key] = value
            default: try reader.skip(field.type)
            }
        }
        return t
    }

    private static func readValue(_ reader: inout ProtobufReader) throws -> Value {
        var value = Value(name: "", elementType: nil, shape: nil, symbols: [])
        while let field = try reader.nextField() {
            switch (field.number, field.type) {
            case (1, .lengthDelimited): value.name = try reader.readString()
            case (2, .lengthDelimited):
                var type = try reader.readMessage()
                while let f = try type.nextField() {
                    guard f.number == 1, f.type == .lengthDelimited else { try type.skip(f.type); continue }
                    var tensorType = try type.readMessage()
                    while let g = try tensorType.nextField() {
                        switch (g.number, g.type) {
                        case (1, .varint): value.elementType = Int(truncatingIfNeeded: try tensorType.readVarint())
                        case (2, .lengthDelimited):
                            var shape = try tensorType.readMessage()
                            var dims = [Int?](), symbols = [String?]()
                            while let h = try shape.nextField() {
                                guard h.number == 1, h.type == .lengthDelimited else { try shape.skip(h.type); continue }
                                var dim = try shape.readMessage()
                                var size: Int?, symbol: String?
                                while let d = try dim.nextField() {
                                    switch (d.number, d.type) {
                                    case (1, .varint): size = Int(truncatingIfNeeded: Int64(bitPattern: try dim.readVarint()))
                                    case (2, .lengthDelimited): symbol = try dim.readString()
                                    default: try dim.skip(d.type)
                                    }
                                }
                                dims.append(size.flatMap { $0 >= 0 ? $0 : nil })
                                symbols.append(symbol)
                            }
                            value.shape = dims
                            value.symbols = symbols
                        default: try tensorType.skip(g.type)
                        }
                    }
                }
            default: try reader.skip(field.type)
            }
        }
        return value
    }
}
