/// Writes a small ONNX model (ModelProto) node by node: what Embeval exports (a parametric map's network) and what
/// tests build to run a graph of a given shape. Field numbers are the ONNX protobuf's.
struct OnnxGraphWriter {
    /// ONNX TensorProto element types used here.
    enum ElementType: Int { case float32 = 1, int64 = 7 }

    private var graph = ProtobufWriter()

    /// A node attribute's value: one integer (AttributeProto type INT) or a list (INTS).
    enum Attribute {
        case int(Int)
        case ints([Int])
    }

    /// A NodeProto: inputs (1), output (2), name (3), op_type (4), attributes (5).
    mutating func node(_ op: String, inputs: [String], output: String, attributes: [(String, Attribute)] = []) {
        graph.message(1) { node in
            for input in inputs { node.string(1, input) }
            node.string(2, output)
            node.string(3, output + "_" + op.lowercased())
            node.string(4, op)
            for (name, value) in attributes {
                node.message(5) { attribute in
                    attribute.string(1, name)
                    switch value {
                    case .ints(let values):
                        for v in values { attribute.integer(8, v) }   // ints
                        attribute.integer(20, 7)                       // type INTS
                    case .int(let v):
                        attribute.integer(3, v)                       // i
                        attribute.integer(20, 2)                       // type INT
                    }
                }
            }
        }
    }

    /// A float32 TensorProto initialiser: dims (1), data_type FLOAT (2), name (8), little-endian raw_data (9).
    mutating func initializer(_ name: String, dims: [Int], values: [Float]) {
        graph.message(5) { tensor in
            for d in dims { tensor.integer(1, d) }
            tensor.integer(2, ElementType.float32.rawValue)
            tensor.string(8, name)
            var raw = [UInt8]()
            raw.reserveCapacity(values.count * 4)
            for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { raw.append(contentsOf: $0) } }
            tensor.bytesField(9, raw)
        }
    }

    /// A graph input of these dims, nil for the symbolic `batch` axis.
    mutating func input(_ name: String, _ type: ElementType = .float32, dims: [Int?]) { value(11, name, type, dims) }

    /// A graph output of these dims, nil for the symbolic `batch` axis.
    mutating func output(_ name: String, _ type: ElementType = .float32, dims: [Int?]) { value(12, name, type, dims) }

    /// A ValueInfoProto: name (1), type (2) → tensor_type (1) → elem_type (1), shape (2) → dims (1).
    private mutating func value(_ field: Int, _ name: String, _ type: ElementType, _ dims: [Int?]) {
        graph.message(field) { info in
            info.string(1, name)
            info.message(2) { typeProto in
                typeProto.message(1) { tensor in
                    tensor.integer(1, type.rawValue)
                    tensor.message(2) { shape in
                        for d in dims {
                            shape.message(1) { dim in
                                if let d { dim.integer(1, d) } else { dim.string(2, "batch") }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The graph's name (GraphProto field 2), where in the graph's fields the caller puts it.
    mutating func name(_ name: String) { graph.string(2, name) }

    /// The ModelProto (IR 8, the default domain at `opset`) holding the graph.
    func model(opset: Int = 17) -> [UInt8] {
        var model = ProtobufWriter()
        model.integer(1, 8)                                   // ir_version
        model.string(2, "embeval")                            // producer_name
        model.string(3, EmbevalInfo.version)                  // producer_version
        model.bytesField(7, graph.bytes)                      // graph
        model.message(8) { opsetImport in                     // opset_import
            opsetImport.string(1, "")
            opsetImport.integer(2, opset)
        }
        return model.bytes
    }
}
