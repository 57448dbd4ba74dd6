// ONNX graphs (Runtime/OnnxGraph.swift, Support/ProtobufReader.swift, Embedding/BackboneAnatomy.swift): the bytes
// as a serialised ModelProto; when it reads, its blocks are looked for, their final norm's weights read, and outputs
// added to a copy.
import Embeval
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOnnxGraph(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let graph = try? OnnxGraph(bytes: FuzzInput.bytes(data, size), path: "/nonexistent/fuzz.onnx") else { return 0 }
    let anatomy = BackboneAnatomy(graph: graph)
    _ = try? anatomy.tensor(forLayer: -1)
    _ = graph.addingOutputs(anatomy.hiddenStates)
    for initializer in graph.initializers.values { _ = graph.floatValues(of: initializer) }
    return 0
}
