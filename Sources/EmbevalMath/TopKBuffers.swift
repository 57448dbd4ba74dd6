/// Per-row candidate buffers for a large k (a retrieval's depth of a whole class), in place of heaps: each row
/// appends the values at or above its floor to a buffer of 2k pairs and, when the buffer is full, keeps its k best
/// (one selection, O(k)) and raises the floor to the worst of them. A heap would pay O(log k) per candidate, and a
/// selection per block O(k) per row per block; here a selection comes only once per k candidates kept. The kept set
/// is the heaps' — the k best under `TopKRows`' one total order — since a value below the floor has k better ones.
///
/// Memory: rows × 2k pairs, 16·k bytes a row, in caller-owned storage.
struct TopKBuffers {
    let pairs: UnsafeMutablePointer<TopKCandidate>
    let counts: UnsafeMutablePointer<Int>
    let floors: UnsafeMutablePointer<Float>
    let k: Int

    var capacity: Int { 2 * k }

    /// Appends every value of one row of a block at or above the row's floor (column j being index `firstColumn +
    /// j`, skipping `excluding`), sixteen values checked against the floor at a time.
    @inline(__always) func scanRow(_ row: Int, _ values: UnsafePointer<Float>, count: Int, firstColumn: Int, excluding: Int) {
        let buffer = pairs + row * capacity
        var used = counts[row], floor = floors[row]
        var threshold = SIMD16<Float>(repeating: floor)
        @inline(__always) func append(_ jj: Int) {
            let column = firstColumn + jj
            guard column != excluding else { return }
            if used == capacity {
                floor = keepBest(buffer, count: used)
                used = k
                guard values[jj] >= floor else { return }
            }
            buffer[used] = TopKCandidate(similarity: values[jj], index: Int32(column))
            used += 1
        }
        var j = 0
        while j + 16 <= count {
            let v = UnsafeRawPointer(values + j).loadUnaligned(as: SIMD16<Float>.self)
            if any(v .>= threshold) {
                for jj in j..<(j + 16) where values[jj] >= floor { append(jj) }
                threshold = SIMD16(repeating: floor)
            }
            j += 16
        }
        for jj in j..<count where values[jj] >= floor { append(jj) }
        counts[row] = used
        floors[row] = floor
    }

    /// Writes row `row`'s k best into `heaps`' row (unsorted; empty slots (−∞, −1) where fewer were offered).
    func finish(_ row: Int, into heaps: TopKRows) {
        let buffer = pairs + row * capacity
        var used = counts[row]
        if used > k { _ = keepBest(buffer, count: used); used = k }
        let sims = heaps.sims + row * k, indices = heaps.indices + row * k
        for t in 0..<used { sims[t] = buffer[t].similarity; indices[t] = buffer[t].index }
        for t in used..<k { sims[t] = -.infinity; indices[t] = -1 }
    }

    /// Moves the k best of `buffer[0..<count]` to its front; returns the worst similarity among them.
    private func keepBest(_ buffer: UnsafeMutablePointer<TopKCandidate>, count: Int) -> Float {
        TopKRows.selectBest(buffer, count: count, k: k)
        var worst = buffer[0].similarity
        for t in 1..<k where buffer[t].similarity < worst { worst = buffer[t].similarity }
        return worst
    }
}
