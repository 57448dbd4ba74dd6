/// The order in which an optimising map stores its points: slots sorted along a Z-order (Morton) curve of their
/// positions, so that a point's neighbours in P — which the layout pulls close — sit near it in memory. At a million
/// points the positions (16 MB) no longer fit in cache, and the attraction's reads of neighbour positions in input
/// order miss it on nearly every edge; in curve order most hit. Re-sorted as the map forms; the fitted result is
/// handed back in input order.
struct SpatialOrder: Sendable {
    /// `rows[s]`: the input row of the point stored in slot s.
    private(set) var rows: [Int32]

    /// Bits per axis of the curve's grid: 65,536 cells per axis, finer than any map this tool draws.
    static let bitsPerAxis = 16

    /// Slots in input order.
    init(count: Int) {
        rows = (0..<count).map { Int32(truncatingIfNeeded: $0) }
    }

    /// A permutation of the slots: `order[s']` is the slot that moves to s', `newSlot[s]` where slot s goes.
    struct Move: Sendable {
        let order: [Int32]
        let newSlot: [Int32]

        /// Per-slot values (slots × dims) moved with their points.
        func apply(_ values: inout [Double], dims: Int) {
            var moved = [Double](repeating: 0, count: values.count)
            for (s, old) in order.enumerated() {
                for d in 0..<dims { moved[s * dims + d] = values[Int(old) * dims + d] }
            }
            values = moved
        }
    }

    /// Re-sorts the slots along the curve of `positions` (slots × dims); returns the move, for the caller to apply to
    /// every per-slot array and every reference to a slot. Points in one grid cell keep their relative order.
    mutating func resort(positions y: [Double], dims: Int) -> Move {
        let n = rows.count
        var lo = [Double](repeating: .infinity, count: dims), hi = [Double](repeating: -.infinity, count: dims)
        for i in 0..<n { for d in 0..<dims { lo[d] = min(lo[d], y[i * dims + d]); hi[d] = max(hi[d], y[i * dims + d]) } }
        let cells = Double((1 << Self.bitsPerAxis) - 1)
        var keyed = [(key: UInt64, slot: Int32)]()
        keyed.reserveCapacity(n)
        for i in 0..<n {
            var key: UInt64 = 0
            for d in 0..<dims {
                let span = hi[d] - lo[d]
                let unit = span > 0 && span.isFinite ? (y[i * dims + d] - lo[d]) / span : 0
                // Written so NaN lands in cell 0 (a finite map has none; the order is only a matter of speed).
                let cell = UInt64(unit >= 1 ? cells : (unit > 0 ? unit * cells : 0))
                for bit in 0..<Self.bitsPerAxis { key |= ((cell >> UInt64(bit)) & 1) << UInt64(bit * dims + d) }
            }
            keyed.append((key, Int32(truncatingIfNeeded: i)))
        }
        keyed.sort { $0.key != $1.key ? $0.key < $1.key : $0.slot < $1.slot }
        let order = keyed.map(\.slot)
        var newSlot = [Int32](repeating: 0, count: n)
        for (s, old) in order.enumerated() { newSlot[Int(old)] = Int32(truncatingIfNeeded: s) }
        rows = order.map { rows[Int($0)] }
        return Move(order: order, newSlot: newSlot)
    }

    /// Per-slot values (slots × dims) in input order.
    func inputOrder(_ values: [Double], dims: Int) -> [Double] {
        var out = [Double](repeating: 0, count: values.count)
        for (s, row) in rows.enumerated() {
            for d in 0..<dims { out[Int(row) * dims + d] = values[s * dims + d] }
        }
        return out
    }
}
