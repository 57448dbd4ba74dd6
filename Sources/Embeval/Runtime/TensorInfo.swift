/// What a model declares about one of its inputs or outputs: name, element type and shape.
/// Dynamic dimensions are `nil` in `shape`; their symbolic names (e.g. "batch_size") are kept alongside.
public struct TensorInfo: Equatable, Sendable, CustomStringConvertible {
    public var name: String
    public var elementType: ElementType
    /// One entry per dimension: the fixed size, or nil where the size is chosen at run time.
    public var shape: [Int?]
    /// One entry per dimension: the symbolic name ONNX gives a dynamic dimension, nil when there is none.
    public var symbolicNames: [String?]

    public init(name: String, elementType: ElementType, shape: [Int?], symbolicNames: [String?]? = nil) {
        self.name = name
        self.elementType = elementType
        self.shape = shape
        self.symbolicNames = symbolicNames ?? Array(repeating: nil, count: shape.count)
    }

    public var rank: Int { shape.count }

    /// The shape written as in error messages: `[?, 3, 224, 224]`.
    public var shapeDescription: String {
        "[" + shape.map { $0.map(String.init) ?? "?" }.joined(separator: ", ") + "]"
    }

    /// Whether a concrete shape fits this declaration (same rank, same size wherever the size is fixed).
    public func accepts(shape concrete: [Int]) -> Bool {
        concrete.count == shape.count && zip(shape, concrete).allSatisfy { declared, actual in
            declared.map { $0 == actual } ?? true
        }
    }

    public var description: String { "\(name): \(elementType) \(shapeDescription)" }
}
