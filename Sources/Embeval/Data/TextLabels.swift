import Foundation

/// Class names of labels written as text (a manifest's column, WebDataset `.txt` and `.json` names, a string column,
/// a `classnames.txt`), told apart by their UTF-8 bytes as Python tells `str` apart: Swift's `String` equality is
/// canonical equivalence, which would make "café" in NFC and in NFD one class.
struct TextLabels {
    /// The class names, in label order.
    let classes: [String]
    private let ids: [[UInt8]: Int]

    /// Names in the order given (a `classnames.txt`); a name listed twice keeps its first id.
    init(classes: [String]) {
        self.classes = classes
        var ids = [[UInt8]: Int]()
        for (id, name) in classes.enumerated() where ids[Array(name.utf8)] == nil { ids[Array(name.utf8)] = id }
        self.ids = ids
    }

    /// The distinct labels in the order of their bytes (Python's `sorted` of `str`).
    init(sortingByBytes labels: some Sequence<String>) {
        self.init(classes: Self.distinct(labels).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
    }

    /// The distinct labels as numbers when every one is an integer (`2` before `10`), else by their bytes. Two
    /// spellings of one number (`1`, `01`, `+1`) are refused: they would share a rank, an order (and label ids) no
    /// run could reproduce.
    init(sorting labels: some Sequence<String>) throws(SameNumber) {
        let distinct = Self.distinct(labels)
        let numbers = distinct.compactMap { label in Int(label).map { (text: label, value: $0) } }
        guard !distinct.isEmpty, numbers.count == distinct.count else {
            self.init(classes: distinct.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
            return
        }
        let sorted = numbers.sorted { $0.value != $1.value ? $0.value < $1.value : Array($0.text.utf8).lexicographicallyPrecedes(Array($1.text.utf8)) }
        if let (a, b) = zip(sorted, sorted.dropFirst()).first(where: { $0.value == $1.value }) {
            throw SameNumber(first: a.text, second: b.text, value: a.value)
        }
        self.init(classes: sorted.map(\.text))
    }

    /// Each label once, by its bytes, in first-seen order.
    private static func distinct(_ labels: some Sequence<String>) -> [String] {
        var seen = Set<[UInt8]>(), distinct = [String]()
        for label in labels where seen.insert(Array(label.utf8)).inserted { distinct.append(label) }
        return distinct
    }

    /// The label id of a name, by its bytes; nil for a name that is not a class.
    func id(of label: String) -> Int? { ids[Array(label.utf8)] }

    /// Two labels that are the same number written two ways.
    struct SameNumber: Error, Equatable {
        var first: String
        var second: String
        var value: Int

        /// The reason, for the error that names the file.
        var reason: String { "labels '\(first)' and '\(second)' are the same number, \(value): write each class one way" }
    }
}
