import Foundation

/// How well a low-dimensional map keeps local neighbourhoods (Venna & Kaski; scikit-learn's `trustworthiness`):
///
/// T(k) = 1 − 2 / (n·k·(2n − 3k − 1)) · Σᵢ Σ_{j ∈ Nₖ(i) in the map} max(0, r(i, j) − k)
///
/// where r(i, j) is j's rank among i's neighbours in the original space (1 = nearest). 1 means every map
/// neighbour is a true neighbour; both spaces use Euclidean distance. Requires k < n/2.
public enum Trustworthiness {
    public static func score(original: Matrix, map: Matrix, k: Int = 10) -> Double {
        precondition(original.rows == map.rows)
        let n = original.rows
        precondition(k >= 1 && k < n / 2, "trustworthiness needs k < n/2 (k=\(k), n=\(n))")
        let mapNeighbours = nearestByEuclidean(map, k: k)
        let penalties: [Double] = Parallel.map(n) { i in
            let distances = squaredDistances(from: i, in: original)
            var penalty = 0.0
            for t in 0..<k {
                let j = mapNeighbours[i * k + t]
                let dj = distances[j]
                // Rank of j in i's original ordering: 1 + points strictly closer (ties: smaller index first).
                var rank = 1
                for m in 0..<n where m != i && m != j {
                    let dm = distances[m]
                    if dm < dj || (dm == dj && m < j) { rank += 1 }
                }
                penalty += Double(max(0, rank - k))
            }
            return penalty
        }
        let total = penalties.reduce(0, +)
        return 1 - total * (2 / (Double(n) * Double(k) * (2 * Double(n) - 3 * Double(k) - 1)))
    }

    /// Squared Euclidean distances from row `i` to every row (Double accumulation).
    static func squaredDistances(from i: Int, in m: Matrix) -> [Double] {
        let d = m.columns
        return m.values.withUnsafeBufferPointer { v in
            (0..<m.rows).map { r in
                var s = 0.0
                for c in 0..<d { let x = Double(v[i * d + c]) - Double(v[r * d + c]); s += x * x }
                return s
            }
        }
    }

    /// The k nearest other rows of every row, by Euclidean distance (ties: smaller index), row-major `n × k`.
    static func nearestByEuclidean(_ m: Matrix, k: Int) -> [Int] {
        let rows: [[Int]] = Parallel.map(m.rows) { i in
            let distances = squaredDistances(from: i, in: m)
            var order = Array(0..<m.rows).filter { $0 != i }
            order.sort { distances[$0] != distances[$1] ? distances[$0] < distances[$1] : $0 < $1 }
            return Array(order.prefix(k))
        }
        return rows.flatMap { $0 }
    }
}
