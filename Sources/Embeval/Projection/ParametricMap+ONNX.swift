import Foundation

extension ParametricMap {
    /// The input and output names of the exported graph.
    public static let inputName = "embedding"
    public static let outputName = "coordinates"

    /// The network as an ONNX model (IR 8, opset 17): input `embedding` [batch, d] float32 with a dynamic batch axis,
    /// output `coordinates` [batch, dims]. The graph is x / max(‖x‖₂, 1e-12) (when the map's input was normalised:
    /// ReduceL2, Max, Div), Gemm, Relu, Gemm — nothing after the last layer, so coordinates are never clamped.
    /// The same network gives the same bytes.
    public func onnxModel() -> [UInt8] {
        var model = ProtobufWriter()
        model.integer(1, 8)                                   // ir_version
        model.string(2, "embeval")                            // producer_name
        model.string(3, EmbevalInfo.version)               // producer_version
        model.message(7) { graph in                           // graph
            var unit = Self.inputName
            if normalizesInput {
                Self.node(&graph, "ReduceL2", inputs: [Self.inputName], output: "norm", attributes: [("axes", [1]), ("keepdims", [1])])
                Self.node(&graph, "Max", inputs: ["norm", "epsilon"], output: "norm_floor")
                Self.node(&graph, "Div", inputs: [Self.inputName, "norm_floor"], output: "unit")
                unit = "unit"
            }
            Self.node(&graph, "Gemm", inputs: [unit, "layer1.weight", "layer1.bias"], output: "layer1", attributes: [("transB", [1])])
            Self.node(&graph, "Relu", inputs: ["layer1"], output: "hidden")
            Self.node(&graph, "Gemm", inputs: ["hidden", "layer2.weight", "layer2.bias"], output: Self.outputName, attributes: [("transB", [1])])
            graph.string(2, "parametric_map")                 // name
            if normalizesInput { Self.initializer(&graph, "epsilon", dims: [], values: [1e-12]) }
            Self.initializer(&graph, "layer1.weight", dims: [hidden, inputWidth], values: weights1)
            Self.initializer(&graph, "layer1.bias", dims: [hidden], values: bias1)
            Self.initializer(&graph, "layer2.weight", dims: [dimensions, hidden], values: weights2)
            Self.initializer(&graph, "layer2.bias", dims: [dimensions], values: bias2)
            Self.value(&graph, field: 11, name: Self.inputName, dims: [nil, inputWidth])
            Self.value(&graph, field: 12, name: Self.outputName, dims: [nil, dimensions])
        }
        model.message(8) { opset in                           // opset_import: the default domain, version 17
            opset.string(1, "")
            opset.integer(2, 17)
        }
        return model.bytes
    }

    /// A NodeProto: inputs (1), output (2), name (3), op_type (4), integer attributes (5).
    private static func node(_ graph: inout ProtobufWriter, _ op: String, inputs: [String], output: String,
                             attributes: [(String, [Int])] = []) {
        graph.message(1) { node in
            for input in inputs { node.string(1, input) }
            node.string(2, output)
            node.string(3, output + "_" + op.lowercased())
            node.string(4, op)
            for (name, values) in attributes {
                node.message(5) { attribute in
                    attribute.string(1, name)
                    if name == "axes" {
                        for v in values { attribute.integer(8, v) }   // ints
                        attribute.integer(20, 7)                       // type INTS
                    } else {
                        attribute.integer(3, values[0])               // i
                        attribute.integer(20, 2)                       // type INT
                    }
                }
            }
        }
    }

    /// A float32 TensorProto initialiser: dims (1), data_type FLOAT (2), name (8), little-endian raw_data (9).
    private static func initializer(_ graph: inout ProtobufWriter, _ name: String, dims: [Int], values: [Float]) {
        graph.message(5) { tensor in
            for d in dims { tensor.integer(1, d) }
            tensor.integer(2, 1)
            tensor.string(8, name)
            var raw = [UInt8]()
            raw.reserveCapacity(values.count * 4)
            for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { raw.append(contentsOf: $0) } }
            tensor.bytesField(9, raw)
        }
    }

    /// A graph input (11) or output (12): float32 of these dims, nil for the symbolic `batch` axis.
    private static func value(_ graph: inout ProtobufWriter, field: Int, name: String, dims: [Int?]) {
        graph.message(field) { info in
            info.string(1, name)
            info.message(2) { type in
                type.message(1) { tensor in
                    tensor.integer(1, 1)
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
}
