/// A value fed to a model input: float32 pixels/features, or int64 ids (token ids for text encoders).
public enum InputTensor: Equatable, Sendable {
    case float32(Tensor)
    case int64(shape: [Int], values: [Int64])

    public var shape: [Int] {
        switch self {
        case .float32(let tensor): tensor.shape
        case .int64(let shape, _): shape
        }
    }

    public var elementType: ElementType {
        switch self {
        case .float32: .float32
        case .int64: .int64
        }
    }

    /// Number of stored values (must equal the product of `shape`).
    var valueCount: Int {
        switch self {
        case .float32(let tensor): tensor.values.count
        case .int64(_, let values): values.count
        }
    }
}

extension InputTensor {
    /// A one-item tensor (first axis 1) repeated `count` times along its first axis.
    func repeated(_ count: Int) -> InputTensor {
        switch self {
        case .float32(let tensor):
            return .float32(Tensor(shape: [count] + tensor.shape.dropFirst(), values: Array([[Float]](repeating: tensor.values, count: count).joined())))
        case .int64(let shape, let values):
            return .int64(shape: [count] + shape.dropFirst(), values: Array([[Int64]](repeating: values, count: count).joined()))
        }
    }
}

extension Tensor {
    /// This tensor as a model input.
    public var input: InputTensor { .float32(self) }
}
