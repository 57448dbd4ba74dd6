import Foundation

/// Encodes `Encodable` values into a `JSONValue`, keeping object keys in the order they are encoded and writing
/// absent optionals as `null`, so a report reads top-down and shows every field it has. (Foundation's JSONEncoder
/// orders keys arbitrarily and drops nils.) Types that leave a key out when empty encode it conditionally themselves.
public struct JSONValueEncoder {
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let root = Node()
        try root.store(value, path: [])
        return root.value
    }

    /// One value under construction: a scalar, or an object or array whose children are still being filled.
    final class Node {
        var value: JSONValue = .null
        var objectChildren: [(String, Node)]? = nil
        var arrayChildren: [Node]? = nil

        func resolved() -> JSONValue {
            if let objectChildren { return .object(objectChildren.map { ($0.0, $0.1.resolved()) }) }
            if let arrayChildren { return .array(arrayChildren.map { $0.resolved() }) }
            return value
        }

        func child(forKey key: String) -> Node {
            if objectChildren == nil { objectChildren = [] }
            if let existing = objectChildren?.first(where: { $0.0 == key }) { return existing.1 }
            let node = Node()
            objectChildren?.append((key, node))
            return node
        }

        func appendChild() -> Node {
            if arrayChildren == nil { arrayChildren = [] }
            let node = Node()
            arrayChildren?.append(node)
            return node
        }

        func store<T: Encodable>(_ value: T, path: [CodingKey]) throws {
            switch value {
            case let v as JSONValue: self.value = v
            case let v as String: self.value = .string(v)
            case let v as Bool: self.value = .bool(v)
            case let v as Double: self.value = .number(v)
            case let v as Float: self.value = .number(Double(v))
            case let v as Int: self.value = .int(v)
            case let v as UInt64: self.value = v <= UInt64(Int.max) ? .int(Int(v)) : .number(Double(v))
            case let v as any BinaryInteger: self.value = .int(Int(clamping: v))
            default:
                try value.encode(to: Target(node: self, codingPath: path))
                self.value = resolved()
                return
            }
        }
    }

    /// The `Encoder` handed to a value's `encode(to:)`.
    struct Target: Encoder {
        let node: Node
        var codingPath: [CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            if node.objectChildren == nil { node.objectChildren = [] }
            return KeyedEncodingContainer(Keyed<Key>(node: node, codingPath: codingPath))
        }

        func unkeyedContainer() -> UnkeyedEncodingContainer {
            if node.arrayChildren == nil { node.arrayChildren = [] }
            return Unkeyed(node: node, codingPath: codingPath)
        }

        func singleValueContainer() -> SingleValueEncodingContainer { Single(node: node, codingPath: codingPath) }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let node: Node
        var codingPath: [CodingKey]

        mutating func encodeNil(forKey key: Key) throws { node.child(forKey: key.stringValue).value = .null }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            let child = node.child(forKey: key.stringValue)
            try child.store(value, path: codingPath + [key])
        }
        // Absent optionals are written as null, not left out.
        mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
            if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
        }
        mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try encodeOptional(value, key) }
        mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try encodeOptional(value, key) }
        mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try encodeOptional(value, key) }
        mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { try encodeOptional(value, key) }
        mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try encodeOptional(value, key) }
        mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { try encodeOptional(value, key) }
        mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { try encodeOptional(value, key) }
        mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { try encodeOptional(value, key) }
        mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try encodeOptional(value, key) }
        mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { try encodeOptional(value, key) }
        mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { try encodeOptional(value, key) }
        mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { try encodeOptional(value, key) }
        mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { try encodeOptional(value, key) }
        mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { try encodeOptional(value, key) }

        private mutating func encodeOptional<T: Encodable>(_ value: T?, _ key: Key) throws {
            if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
            -> KeyedEncodingContainer<NestedKey> {
            Target(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key]).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
            Target(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
        }
        mutating func superEncoder() -> Encoder { Target(node: node, codingPath: codingPath) }
        mutating func superEncoder(forKey key: Key) -> Encoder {
            Target(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key])
        }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let node: Node
        var codingPath: [CodingKey]
        var count: Int { node.arrayChildren?.count ?? 0 }

        mutating func encodeNil() throws { node.appendChild().value = .null }
        mutating func encode<T: Encodable>(_ value: T) throws {
            try node.appendChild().store(value, path: codingPath + [AnyCodingKey(intValue: count) ?? AnyCodingKey("")])
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            Target(node: node.appendChild(), codingPath: codingPath).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
            Target(node: node.appendChild(), codingPath: codingPath).unkeyedContainer()
        }
        mutating func superEncoder() -> Encoder { Target(node: node.appendChild(), codingPath: codingPath) }
    }

    struct Single: SingleValueEncodingContainer {
        let node: Node
        var codingPath: [CodingKey]
        mutating func encodeNil() throws { node.value = .null }
        mutating func encode<T: Encodable>(_ value: T) throws { try node.store(value, path: codingPath) }
    }
}
