/// A parquet schema as a tree: the top-level fields with their nested children, and the leaves (primitive columns)
/// in the order a row group lists its column chunks, each with its maximum definition and repetition level.
///
/// The footer stores the tree flattened depth first: element 0 is the root, and a group element with n children is
/// followed by them. A leaf's maximum definition level counts its optional or repeated ancestors (itself included);
/// a value is present in a row exactly when its definition level reaches that maximum.
struct ParquetSchema: Equatable, Sendable {
    struct Field: Equatable, Sendable {
        var name: String
        var repetition: ParquetMetadata.Repetition
        var children: [Field]
        /// The leaf's index among the column chunks; nil for a group.
        var leaf: Int?
    }

    struct Leaf: Equatable, Sendable {
        var path: [String]
        var physicalType: ParquetMetadata.PhysicalType
        var maxDefinitionLevel: Int
        var maxRepetitionLevel: Int
        var isText: Bool
        var isUnsigned: Bool

        var dottedPath: String { path.joined(separator: ".") }
    }

    /// Groups nested deeper than this are refused (Hugging Face's Image feature is two deep).
    static let deepestNesting = 64

    var fields: [Field]
    var leaves: [Leaf]

    init(_ elements: [ParquetMetadata.SchemaElement]) throws(DecodingFailure) {
        guard let root = elements.first else { throw DecodingFailure("the schema is empty") }
        var next = 1
        var leaves = [Leaf]()
        var fields = [Field]()
        for _ in 0..<root.childCount {
            fields.append(try Self.field(elements, &next, parentPath: [], definition: 0, repetition: 0, depth: 1, leaves: &leaves))
        }
        guard next == elements.count else {
            throw DecodingFailure("the schema lists \(elements.count) elements but its tree holds \(next)")
        }
        self.fields = fields
        self.leaves = leaves
    }

    /// The top-level field named `name`.
    func field(named name: String) -> Field? { fields.first { $0.name == name } }

    private static func field(_ elements: [ParquetMetadata.SchemaElement], _ next: inout Int, parentPath: [String],
                              definition: Int, repetition: Int, depth: Int, leaves: inout [Leaf]) throws(DecodingFailure) -> Field {
        guard depth <= deepestNesting else { throw DecodingFailure("the schema nests more than \(deepestNesting) deep") }
        guard next < elements.count else { throw DecodingFailure("the schema's tree declares more elements than it lists") }
        let element = elements[next]
        next += 1
        let repetitionType = element.repetition ?? .required
        let path = parentPath + [element.name]
        let definition = definition + (repetitionType == .required ? 0 : 1)
        let repetition = repetition + (repetitionType == .repeated ? 1 : 0)
        if element.childCount == 0 {
            guard let physical = element.physicalType else {
                throw DecodingFailure("schema element '\(path.joined(separator: "."))' has neither a type nor children")
            }
            leaves.append(Leaf(path: path, physicalType: physical, maxDefinitionLevel: definition, maxRepetitionLevel: repetition,
                               isText: element.isText, isUnsigned: element.isUnsigned))
            return Field(name: element.name, repetition: repetitionType, children: [], leaf: leaves.count - 1)
        }
        // Each child takes at least one element, so more children than elements left is refused before the loop.
        guard element.childCount <= elements.count - next else {
            throw DecodingFailure("schema element '\(path.joined(separator: "."))' declares \(element.childCount) children, more than the schema lists")
        }
        var children = [Field]()
        for _ in 0..<element.childCount {
            children.append(try field(elements, &next, parentPath: path, definition: definition, repetition: repetition,
                                      depth: depth + 1, leaves: &leaves))
        }
        return Field(name: element.name, repetition: repetitionType, children: children, leaf: nil)
    }
}
