import Foundation
@testable import Embeval

/// The Projection fixtures (tools/fixtures/projection_tsne.py) and helpers shared by the PCA, t-SNE and
/// trustworthiness tests.
enum ProjectionFixtures {
    static func matrix(_ name: String) throws -> Matrix {
        try NumpyArray.readMatrix(at: TestPaths.fixture("projection/\(name)"))
    }

    static func labels(_ name: String) throws -> [Int] {
        try NumpyArray.readLabels(at: TestPaths.fixture("projection/\(name)"))
    }

    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: TestPaths.fixture("projection/\(name)"))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    /// The first `count` Fashion-MNIST test images as pixels / 255 (Debian's dataset-fashion-mnist).
    static func fashionPixels(_ count: Int) throws -> Matrix {
        let images = try IDXFile.readImages(URL(fileURLWithPath: DatasetSpec.fashionMNISTDirectory)
            .appendingPathComponent("t10k-images-idx3-ubyte.gz"))
        let d = images.width * images.height
        return Matrix(rows: count, columns: d, values: images.pixels[0..<(count * d)].map { Float($0) / 255 })
    }

    /// The PCA fixture's randomized case: X = A·diag(s)·B + 0.05·E from SplitMix64 (seed 7), values 2·(x >> 40)/2²⁴ − 1.
    static func randomizedCase() -> Matrix {
        let n = 500, d = 1100, rank = 20
        var g = SeededGenerator(seed: 7)
        func next() -> Double { Double(g.next() >> 40) / Double(1 << 24) * 2 - 1 }
        let a = (0..<(n * rank)).map { _ in next() }
        let b = (0..<(rank * d)).map { _ in next() }
        let e = (0..<(n * d)).map { _ in next() }
        let s = (0..<rank).map { 10 * pow(0.8, Double($0)) }
        var values = [Float](repeating: 0, count: n * d)
        for i in 0..<n { for j in 0..<d {
            var v = 0.0
            for r in 0..<rank { v += a[i * rank + r] * s[r] * b[r * d + j] }
            values[i * d + j] = Float(v + 0.05 * e[i * d + j])
        } }
        return Matrix(rows: n, columns: d, values: values)
    }

    /// Largest |a − ±b| over the rows of two component matrices, each row's sign aligned first.
    static func maxComponentDifference(_ a: Matrix, _ b: Matrix) -> Float {
        precondition(a.rows == b.rows && a.columns == b.columns)
        var worst: Float = 0
        for r in 0..<a.rows {
            var dot: Float = 0
            for c in 0..<a.columns { dot += a[r, c] * b[r, c] }
            let sign: Float = dot < 0 ? -1 : 1
            for c in 0..<a.columns { worst = max(worst, abs(a[r, c] - sign * b[r, c])) }
        }
        return worst
    }

    /// Accuracy of majority votes (ties: smaller label) of each query's k nearest base points (Euclidean).
    static func knnAccuracy(queries: Matrix, queryLabels: [Int], base: Matrix, baseLabels: [Int], k: Int = 10) -> Double {
        var hits = 0
        for i in 0..<queries.rows {
            var dist = [(Float, Int)]()
            for j in 0..<base.rows {
                var s: Float = 0
                for c in 0..<base.columns { let t = queries[i, c] - base[j, c]; s += t * t }
                dist.append((s, j))
            }
            dist.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            var votes = [Int: Int]()
            for t in 0..<k { votes[baseLabels[dist[t].1], default: 0] += 1 }
            let best = votes.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }!.key
            if best == queryLabels[i] { hits += 1 }
        }
        return Double(hits) / Double(queries.rows)
    }
}
