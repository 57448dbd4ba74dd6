import Foundation

extension ParametricMap {
    /// The input and output names of the exported graph.
    public static let inputName = "embedding"
    public static let outputName = "coordinates"

    /// The network as an ONNX model (IR 8, opset 17): input `embedding` [batch, d] float32 with a dynamic batch axis,
    /// output `coordinates` [batch, dims]. The graph is x / max(‖x‖₂, 1e-12) (when the map's input was normalised),
    /// Gemm, Relu, Gemm — nothing after the last layer, so coordinates are never clamped. The norm is taken of the
    /// row divided by its largest magnitude s (at least 1e-30), as (x/s) / max(‖x/s‖₂, 1e-12/s): the same value, but
    /// a float32 sum of squares that cannot overflow (past ~1.8e19 it did, and the row became 0). The same network
    /// gives the same bytes.
    public func onnxModel() -> [UInt8] {
        var graph = OnnxGraphWriter()
        var unit = Self.inputName
        if normalizesInput {
            let row: [(String, OnnxGraphWriter.Attribute)] = [("axes", .ints([1])), ("keepdims", .int(1))]
            graph.node("Abs", inputs: [Self.inputName], output: "magnitude")
            graph.node("ReduceMax", inputs: ["magnitude"], output: "largest", attributes: row)
            graph.node("Max", inputs: ["largest", "smallest_scale"], output: "scale")
            graph.node("Div", inputs: [Self.inputName, "scale"], output: "scaled")
            graph.node("ReduceL2", inputs: ["scaled"], output: "norm", attributes: row)
            graph.node("Div", inputs: ["epsilon", "scale"], output: "scaled_epsilon")
            graph.node("Max", inputs: ["norm", "scaled_epsilon"], output: "norm_floor")
            graph.node("Div", inputs: ["scaled", "norm_floor"], output: "unit")
            unit = "unit"
        }
        graph.node("Gemm", inputs: [unit, "layer1.weight", "layer1.bias"], output: "layer1", attributes: [("transB", .int(1))])
        graph.node("Relu", inputs: ["layer1"], output: "hidden")
        graph.node("Gemm", inputs: ["hidden", "layer2.weight", "layer2.bias"], output: Self.outputName, attributes: [("transB", .int(1))])
        graph.name("parametric_map")
        if normalizesInput {
            graph.initializer("epsilon", dims: [], values: [1e-12])
            graph.initializer("smallest_scale", dims: [], values: [1e-30])
        }
        graph.initializer("layer1.weight", dims: [hidden, inputWidth], values: weights1)
        graph.initializer("layer1.bias", dims: [hidden], values: bias1)
        graph.initializer("layer2.weight", dims: [dimensions, hidden], values: weights2)
        graph.initializer("layer2.bias", dims: [dimensions], values: bias2)
        graph.input(Self.inputName, dims: [nil, inputWidth])
        graph.output(Self.outputName, dims: [nil, dimensions])
        return graph.model(opset: 17)
    }
}
