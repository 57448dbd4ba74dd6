import COnnxRuntime
import Foundation

/// How much ONNX Runtime rewrites the graph when it loads a model. `.all` is Python onnxruntime's default.
public enum GraphOptimization: Sendable {
    case disabled, basic, extended, all

    var level: GraphOptimizationLevel {
        switch self {
        case .disabled: ORT_DISABLE_ALL
        case .basic: ORT_ENABLE_BASIC
        case .extended: ORT_ENABLE_EXTENDED
        case .all: ORT_ENABLE_ALL
        }
    }
}

/// One loaded ONNX model on the CPU: its declared inputs/outputs, and `run` to evaluate it.
/// Owns the runtime's environment, options, session and memory description; releases them in deinit.
public final class InferenceSession: @unchecked Sendable {
    // @unchecked Sendable: all stored properties are immutable after init, and ONNX Runtime documents that
    // concurrent Run calls on one session are safe; nothing here mutates shared state.

    /// The .onnx file that was loaded.
    public let modelPath: String
    /// The model's tensor inputs, in declaration order (non-tensor inputs are left out).
    public let inputs: [TensorInfo]
    /// The model's tensor outputs, in declaration order (non-tensor outputs are left out).
    public let outputs: [TensorInfo]
    public let library: OnnxRuntimeLibrary

    private let env: OpaquePointer
    private let options: OpaquePointer
    private let session: OpaquePointer
    private let memoryInfo: OpaquePointer
    private var api: EmbevalOrtApi { library.api.pointee }

    /// Loads `modelPath` (a .onnx file, or an export directory holding model.onnx).
    /// `threads` caps the intra-op thread pool (nil: ONNX Runtime's default, one per core).
    /// `allowSpinning` lets the runtime's idle pool threads busy-wait for work; off by default, since spinning
    /// workers take CPU away from our own threads (image decoding) on small machines.
    public convenience init(modelPath: String, threads: Int? = nil, optimization: GraphOptimization = .all,
                            allowSpinning: Bool = false, library: OnnxRuntimeLibrary? = nil) throws {
        try self.init(model: .file(try ModelFiles.resolve(modelPath).model.path), threads: threads,
                      optimization: optimization, allowSpinning: allowSpinning, library: library)
    }

    /// What a session loads: a model file, or a model's bytes held in memory (a graph with outputs added).
    public enum Source: Sendable {
        case file(String)
        /// `path` is the file the bytes came from: its folder is where external data is looked up.
        case bytes([UInt8], path: String)
    }

    public init(model source: Source, threads: Int? = nil, optimization: GraphOptimization = .all,
                allowSpinning: Bool = false, library: OnnxRuntimeLibrary? = nil) throws {
        let library = try library ?? OnnxRuntimeLibrary.shared()
        let file: String
        switch source {
        case .file(let path): file = path
        case .bytes(_, let path): file = path
        }
        let api = library.api.pointee
        let name = URL(fileURLWithPath: file).lastPathComponent

        var env: OpaquePointer?, options: OpaquePointer?, session: OpaquePointer?, memoryInfo: OpaquePointer?
        var complete = false
        defer {
            if !complete {
                if let memoryInfo { api.ReleaseMemoryInfo(memoryInfo) }
                if let session { api.ReleaseSession(session) }
                if let options { api.ReleaseSessionOptions(options) }
                if let env { api.ReleaseEnv(env) }
            }
        }
        // FATAL only: its own (coloured) error lines would precede the one line Embeval prints for the same failure.
        try library.check(api.CreateEnv(ORT_LOGGING_LEVEL_FATAL, "embeval", &env), "create its environment")
        try library.check(api.CreateSessionOptions(&options), "create session options")
        try library.check(api.SetSessionGraphOptimizationLevel(options, optimization.level),
                          "set the graph optimization level")
        let spinning = allowSpinning ? "1" : "0"
        for key in ["session.intra_op.allow_spinning", "session.inter_op.allow_spinning"] {
            try library.check(api.AddSessionConfigEntry(options, key, spinning), "set \(key) to \(spinning)")
        }
        if let threads {
            try library.check(api.SetIntraOpNumThreads(options, Int32(max(0, threads))), "set the thread count")
            try library.check(api.SetInterOpNumThreads(options, 1), "set the inter-op thread count")
        }
        switch source {
        case .file:
            try library.check(api.CreateSession(env, file, options, &session), "load model \(file)")
        case .bytes(let bytes, _):
            // External data of a model loaded from memory is looked up in this folder (the model's own).
            let folder = URL(fileURLWithPath: file).deletingLastPathComponent().path
            try library.check(api.AddSessionConfigEntry(options, "session.model_external_initializers_file_folder_path", folder),
                              "set the external data folder")
            try bytes.withUnsafeBytes { raw in
                try library.check(api.CreateSessionFromArray(env, raw.baseAddress, raw.count, options, &session), "load model \(file)")
            }
        }
        try library.check(api.CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault, &memoryInfo),
                          "describe CPU memory")
        guard let env, let options, let session, let memoryInfo else {
            throw RuntimeError.onnxRuntime(operation: "load model \(file)", code: 1, message: "a null handle came back")
        }
        let inputs = try Self.describe(library: library, session: session, inputs: true, model: name)
        let outputs = try Self.describe(library: library, session: session, inputs: false, model: name)

        self.modelPath = file
        self.library = library
        self.env = env
        self.options = options
        self.session = session
        self.memoryInfo = memoryInfo
        self.inputs = inputs
        self.outputs = outputs
        complete = true
    }

    deinit {
        api.ReleaseMemoryInfo(memoryInfo)
        api.ReleaseSession(session)
        api.ReleaseSessionOptions(options)
        api.ReleaseEnv(env)
    }

    /// The declared input called `name`, if any.
    public func input(named name: String) -> TensorInfo? { inputs.first { $0.name == name } }
    /// The declared output called `name`, if any.
    public func output(named name: String) -> TensorInfo? { outputs.first { $0.name == name } }

    // MARK: - Running

    /// Evaluates the model. Every model input must be given; float32 tensors also feed float16/float64 inputs and
    /// int64 tensors also feed int32 inputs (converted). Returns the requested outputs as float32 tensors;
    /// `outputNames: nil` returns every output whose element type converts to float32.
    public func run(_ feeds: [String: InputTensor], outputNames: [String]? = nil) throws -> [String: Tensor] {
        let bound = try validate(feeds)
        let wanted = try selectOutputs(outputNames)
        if wanted.isEmpty { return [:] }

        let inputNames = bound.map { strdup($0.info.name) }
        let outputCNames = wanted.map { strdup($0.name) }
        defer {
            inputNames.forEach { free($0) }
            outputCNames.forEach { free($0) }
        }
        let inputNamePointers = inputNames.map { UnsafePointer($0) }
        let outputNamePointers = outputCNames.map { UnsafePointer($0) }

        return try withOrtValues(bound[...], accumulated: []) { values in
            var results = [OpaquePointer?](repeating: nil, count: wanted.count)
            defer { for case let value? in results { api.ReleaseValue(value) } }
            try library.check(
                api.Run(session, nil, inputNamePointers, values, values.count,
                        outputNamePointers, wanted.count, &results),
                "run model \(URL(fileURLWithPath: modelPath).lastPathComponent)")
            var tensors: [String: Tensor] = [:]
            for (info, value) in zip(wanted, results) {
                guard let value else {
                    throw RuntimeError.onnxRuntime(operation: "run model", code: 1,
                                                   message: "output '\(info.name)' came back empty")
                }
                tensors[info.name] = try readTensor(value, name: info.name)
            }
            return tensors
        }
    }

    /// One model input paired with the data that will feed it, already converted to the input's element type.
    private struct Feed {
        var info: TensorInfo
        var shape: [Int]
        var storage: Storage
    }

    private enum Storage {
        case float32([Float]), float16([UInt16]), float64([Double]), int64([Int64]), int32([Int32])
    }

    /// Checks names, element types, ranks and fixed dimensions before anything reaches ONNX Runtime.
    private func validate(_ feeds: [String: InputTensor]) throws -> [Feed] {
        let declared = inputs.map(\.description).joined(separator: ", ")
        for name in feeds.keys.sorted() where input(named: name) == nil {
            throw RuntimeError.inputMismatch("model has no input '\(name)'; its inputs are: \(declared)")
        }
        return try inputs.map { info in
            guard let tensor = feeds[info.name] else {
                throw RuntimeError.inputMismatch(
                    "model input '\(info.name)' (\(info.elementType) \(info.shapeDescription)) was not given")
            }
            let shape = tensor.shape
            let shapeText = "[" + shape.map(String.init).joined(separator: ", ") + "]"
            guard info.accepts(shape: shape) else {
                throw RuntimeError.inputMismatch(
                    "model input '\(info.name)' expects shape \(info.shapeDescription), got \(shapeText)")
            }
            guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == tensor.valueCount else {
                throw RuntimeError.inputMismatch(
                    "input '\(info.name)' has \(tensor.valueCount) values, which do not fill shape \(shapeText)")
            }
            return Feed(info: info, shape: shape, storage: try convert(tensor, for: info))
        }
    }

    private func convert(_ tensor: InputTensor, for info: TensorInfo) throws -> Storage {
        switch (tensor, info.elementType) {
        case (.float32(let t), .float32): return .float32(t.values)
        case (.float32(let t), .float16): return .float16(t.values.map(HalfFloat.halfBits(from:)))
        case (.float32(let t), .float64): return .float64(t.values.map(Double.init))
        case (.int64(_, let values), .int64): return .int64(values)
        case (.int64(_, let values), .int32):
            guard let bad = values.first(where: { Int32(exactly: $0) == nil }) else {
                return .int32(values.map { Int32($0) })
            }
            throw RuntimeError.inputMismatch("model input '\(info.name)' is int32, but value \(bad) does not fit")
        default:
            throw RuntimeError.inputMismatch(
                "model input '\(info.name)' expects \(info.elementType) \(info.shapeDescription), "
                    + "got \(tensor.elementType)")
        }
    }

    private func selectOutputs(_ names: [String]?) throws -> [TensorInfo] {
        guard let names else { return outputs.filter { Self.readableAsFloat($0.elementType) } }
        var seen = Set<String>()
        return try names.filter { seen.insert($0).inserted }.map { name in
            guard let info = output(named: name) else {
                throw RuntimeError.unknownOutput(name: name, available: outputs.map(\.name))
            }
            guard Self.readableAsFloat(info.elementType) else {
                throw RuntimeError.unsupportedOutput(name: name, elementType: info.elementType)
            }
            return info
        }
    }

    private static func readableAsFloat(_ type: ElementType) -> Bool {
        [.float32, .float16, .bfloat16, .float64].contains(type)
    }

    /// Wraps each feed's buffer in an OrtValue (no copy) for the duration of `body`, releasing them afterwards.
    private func withOrtValues<R>(_ feeds: ArraySlice<Feed>, accumulated: [OpaquePointer?],
                                  _ body: ([OpaquePointer?]) throws -> R) throws -> R {
        guard let feed = feeds.first else { return try body(accumulated) }
        let rest = feeds.dropFirst()
        func wrap<T>(_ array: [T], _ type: ONNXTensorElementDataType) throws -> R {
            try array.withUnsafeBufferPointer { buffer in
                var dims = feed.shape.map { Int64($0) }
                var value: OpaquePointer?
                // An empty tensor still needs a non-null data pointer.
                let placeholder = buffer.baseAddress == nil
                    ? UnsafeMutableRawPointer.allocate(byteCount: 16, alignment: 16) : nil
                defer { placeholder?.deallocate() }
                guard let data = buffer.baseAddress.map({ UnsafeMutableRawPointer(mutating: $0) }) ?? placeholder
                else { preconditionFailure("no data pointer") }
                try library.check(
                    api.CreateTensorWithDataAsOrtValue(memoryInfo, data, buffer.count * MemoryLayout<T>.stride,
                                                       &dims, dims.count, type, &value),
                    "wrap input '\(feed.info.name)'")
                defer { api.ReleaseValue(value) }
                return try withOrtValues(rest, accumulated: accumulated + [value], body)
            }
        }
        switch feed.storage {
        case .float32(let values): return try wrap(values, ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT)
        case .float16(let values): return try wrap(values, ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16)
        case .float64(let values): return try wrap(values, ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE)
        case .int64(let values): return try wrap(values, ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64)
        case .int32(let values): return try wrap(values, ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32)
        }
    }

    /// Copies an output OrtValue into a float32 Tensor, converting float16/bfloat16/float64.
    private func readTensor(_ value: OpaquePointer, name: String) throws -> Tensor {
        var shapeInfo: OpaquePointer?
        try library.check(api.GetTensorTypeAndShape(value, &shapeInfo), "read the shape of output '\(name)'")
        defer { api.ReleaseTensorTypeAndShapeInfo(shapeInfo) }
        var rawType = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED
        try library.check(api.GetTensorElementType(shapeInfo, &rawType), "read the type of output '\(name)'")
        var rank = 0
        try library.check(api.GetDimensionsCount(shapeInfo, &rank), "read the rank of output '\(name)'")
        var dims = [Int64](repeating: 0, count: rank)
        try library.check(api.GetDimensions(shapeInfo, &dims, rank), "read the shape of output '\(name)'")
        var count = 0
        try library.check(api.GetTensorShapeElementCount(shapeInfo, &count), "count output '\(name)'")
        let shape = dims.map { Int($0) }
        if count == 0 { return Tensor(shape: shape, values: []) }

        var data: UnsafeMutableRawPointer?
        try library.check(api.GetTensorMutableData(value, &data), "read output '\(name)'")
        guard let data else { return Tensor(shape: shape, values: []) }
        let type = ElementType(onnxValue: Int(rawType.rawValue))
        let values: [Float]
        switch type {
        case .float32:
            values = Array(UnsafeBufferPointer(start: data.assumingMemoryBound(to: Float.self), count: count))
        case .float16:
            values = UnsafeBufferPointer(start: data.assumingMemoryBound(to: UInt16.self), count: count)
                .map(HalfFloat.float(fromHalfBits:))
        case .bfloat16:
            values = UnsafeBufferPointer(start: data.assumingMemoryBound(to: UInt16.self), count: count)
                .map(HalfFloat.float(fromBFloat16Bits:))
        case .float64:
            values = UnsafeBufferPointer(start: data.assumingMemoryBound(to: Double.self), count: count)
                .map { Float($0) }
        default:
            throw RuntimeError.unsupportedOutput(name: name, elementType: type)
        }
        return Tensor(shape: shape, values: values)
    }

    // MARK: - Discovery

    /// Reads names, element types and shapes of the session's inputs (or outputs), skipping non-tensor ones.
    private static func describe(library: OnnxRuntimeLibrary, session: OpaquePointer, inputs: Bool,
                                 model: String) throws -> [TensorInfo] {
        let api = library.api.pointee
        let side = inputs ? "input" : "output"
        var allocator: OpaquePointer?
        try library.check(api.GetAllocatorWithDefaultOptions(&allocator), "get the default allocator")
        var count = 0
        try library.check(inputs ? api.SessionGetInputCount(session, &count) : api.SessionGetOutputCount(session, &count),
                          "count the \(side)s of \(model)")
        var result: [TensorInfo] = []
        for index in 0..<count {
            var cName: UnsafeMutablePointer<CChar>?
            try library.check(
                inputs ? api.SessionGetInputName(session, index, allocator, &cName)
                    : api.SessionGetOutputName(session, index, allocator, &cName),
                "read the name of \(side) \(index) of \(model)")
            let name = cName.map { String(cString: $0) } ?? ""
            if let cName { _ = api.AllocatorFree(allocator, cName) }

            var typeInfo: OpaquePointer?
            try library.check(
                inputs ? api.SessionGetInputTypeInfo(session, index, &typeInfo)
                    : api.SessionGetOutputTypeInfo(session, index, &typeInfo),
                "read the type of \(side) '\(name)' of \(model)")
            defer { api.ReleaseTypeInfo(typeInfo) }
            var onnxType = ONNX_TYPE_UNKNOWN
            try library.check(api.GetOnnxTypeFromTypeInfo(typeInfo, &onnxType), "read the kind of \(side) '\(name)'")
            guard onnxType == ONNX_TYPE_TENSOR else { continue }

            var tensorInfo: OpaquePointer?
            try library.check(api.CastTypeInfoToTensorInfo(typeInfo, &tensorInfo), "read tensor \(side) '\(name)'")
            guard let tensorInfo else { continue }
            var rawType = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED
            try library.check(api.GetTensorElementType(tensorInfo, &rawType), "read the type of \(side) '\(name)'")
            var rank = 0
            try library.check(api.GetDimensionsCount(tensorInfo, &rank), "read the rank of \(side) '\(name)'")
            var dims = [Int64](repeating: 0, count: rank)
            var symbols = [UnsafePointer<CChar>?](repeating: nil, count: rank)
            if rank > 0 {
                try library.check(api.GetDimensions(tensorInfo, &dims, rank), "read the shape of \(side) '\(name)'")
                try library.check(api.GetSymbolicDimensions(tensorInfo, &symbols, rank),
                                  "read the dimension names of \(side) '\(name)'")
            }
            result.append(TensorInfo(
                name: name,
                elementType: ElementType(onnxValue: Int(rawType.rawValue)),
                shape: dims.map { $0 >= 0 ? Int($0) : nil },
                symbolicNames: symbols.map { pointer in
                    pointer.map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
                }))
        }
        return result
    }
}
