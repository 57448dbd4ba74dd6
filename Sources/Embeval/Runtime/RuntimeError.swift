import Foundation

/// Everything that can go wrong loading ONNX Runtime, opening a model or running it.
/// Each description is one line naming the file/tensor involved and what was expected.
public enum RuntimeError: UserError, Equatable {
    /// No ONNX Runtime library at any of the searched places.
    case libraryNotFound(searched: [String])
    /// A library file exists but could not be used (dlopen failure, missing symbol, unsupported API version).
    case libraryUnusable(path: String, reason: String)
    /// ONNX Runtime reported a failure; `code` is its OrtErrorCode, `message` its own text.
    case onnxRuntime(operation: String, code: Int, message: String)
    /// The model file (or export directory) does not exist or holds no model.
    case modelNotFound(path: String, reason: String)
    /// A `config.json` that could not be read or parsed.
    case invalidConfig(path: String, reason: String)
    /// A model file whose protobuf cannot be read (inspecting its graph).
    case invalidModel(path: String, reason: String)
    /// The inputs given to `run` do not fit what the model declares.
    case inputMismatch(String)
    /// An output name that the model does not have.
    case unknownOutput(name: String, available: [String])
    /// An output whose element type we cannot turn into Float.
    case unsupportedOutput(name: String, elementType: ElementType)
    /// OpenSSL's libcrypto could not compute a SHA-256 (a configuration that loads no provider offering it).
    case digestUnavailable(reason: String)

    public var description: String {
        switch self {
        case .libraryNotFound(let searched):
            return "ONNX Runtime library not found (looked in \(searched.joined(separator: ", "))); "
                + "run scripts/bootstrap or set EMBEVAL_ONNXRUNTIME=/path/to/libonnxruntime.so"
        case .libraryUnusable(let path, let reason):
            return "ONNX Runtime library at \(path) cannot be used: \(reason); "
                + "run scripts/bootstrap or set EMBEVAL_ONNXRUNTIME=/path/to/libonnxruntime.so"
        case .onnxRuntime(let operation, let code, let message):
            return "ONNX Runtime failed to \(operation) (\(Self.codeName(code))): \(Self.oneLine(message))"
        case .modelNotFound(let path, let reason):
            return "model not found at \(path): \(reason)"
        case .invalidConfig(let path, let reason):
            return "cannot read model config \(path): \(reason)"
        case .invalidModel(let path, let reason):
            return "model \(path) is \(reason)"
        case .inputMismatch(let message):
            return message
        case .unknownOutput(let name, let available):
            return "model has no output '\(name)'; available outputs: \(available.joined(separator: ", "))"
        case .unsupportedOutput(let name, let elementType):
            return "model output '\(name)' has element type \(elementType), which cannot be read as float32"
        case .digestUnavailable(let reason):
            return "OpenSSL's libcrypto cannot compute SHA-256 (\(Self.oneLine(reason))): check OPENSSL_CONF and OPENSSL_MODULES, whose configuration must load the default provider"
        }
    }

    /// ONNX Runtime's name for an OrtErrorCode value.
    static func codeName(_ code: Int) -> String {
        let names = ["OK", "FAIL", "INVALID_ARGUMENT", "NO_SUCHFILE", "NO_MODEL", "ENGINE_ERROR",
                     "RUNTIME_EXCEPTION", "INVALID_PROTOBUF", "MODEL_LOADED", "NOT_IMPLEMENTED",
                     "INVALID_GRAPH", "EP_FAIL"]
        return names.indices.contains(code) ? names[code] : "error \(code)"
    }

    /// Keeps a multi-line runtime message on one line.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
    }
}
