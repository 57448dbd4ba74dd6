import Foundation
@testable import Embeval

/// Paths the tests share: the repository, its fixtures, and scratch folders.
enum TestPaths {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func fixture(_ relative: String) -> URL { fixtures.appendingPathComponent(relative) }

    /// The `embeval` executable built beside this test bundle (same build products folder, whatever the
    /// configuration or triple); `EMBEVAL_BINARY` overrides it.
    static let embevalBinary: URL = {
        if let path = ProcessInfo.processInfo.environment["EMBEVAL_BINARY"] { return URL(fileURLWithPath: path) }
        var products = Bundle.main.bundleURL
        while products.pathExtension == "xctest" || products.lastPathComponent == "Contents" || products.lastPathComponent == "MacOS" {
            products.deleteLastPathComponent()
        }
        return products.appendingPathComponent("embeval")
    }()

    /// A new empty directory under the system's temporary folder.
    static func scratch(_ name: String = #function) -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("embeval-tests-\(ProcessInfo.processInfo.processIdentifier)")
            .appendingPathComponent(name.filter { $0.isLetter || $0.isNumber } + "-" + UUID().uuidString.prefix(8))
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Random embeddings with class structure, for metric tests.
func clusteredEmbeddings(rows: Int, columns: Int, classes: Int, seed: UInt64, noise: Float = 1) -> (Matrix, [Int]) {
    var g = SeededGenerator(seed: seed)
    func gauss() -> Float {
        let u1 = max(Double(g.next() >> 11) / Double(1 << 53), 1e-300), u2 = Double(g.next() >> 11) / Double(1 << 53)
        return Float((-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
    }
    let centres = (0..<(classes * columns)).map { _ in gauss() }
    var labels = [Int](), values = [Float]()
    for _ in 0..<rows {
        let c = g.index(below: classes)
        labels.append(c)
        for j in 0..<columns { values.append(centres[c * columns + j] + noise * gauss()) }
    }
    return (Matrix(rows: rows, columns: columns, values: values), labels)
}
