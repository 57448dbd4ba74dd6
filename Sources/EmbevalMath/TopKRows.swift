/// Per-row min-heaps of the k best (similarity, index) pairs seen so far, in caller-owned row-major memory: row r's
/// heap is `sims[r·k ..< (r+1)·k]` with `indices` alongside. The root of a row is its worst kept pair (lowest
/// similarity; among equal similarities the larger index), so the kept set is the k best under one total order and
/// does not depend on the order pairs are offered in. Empty slots hold (−∞, −1) and lose to every pair.
struct TopKRows {
    let sims: UnsafeMutablePointer<Float>
    let indices: UnsafeMutablePointer<Int32>
    let k: Int

    /// The worst similarity row `row` keeps: a candidate below it can never enter.
    @inline(__always) func floor(_ row: Int) -> Float { sims[row * k] }

    /// Offers every similarity of one row of a block (`count` values, column j being index `firstColumn + j`) to
    /// the heap of `row`, skipping the column `excluding` (the row itself in a leave-one-out; −1: none). Sixteen
    /// values at a time are checked against the row's floor first, so a full heap costs one compare per vector.
    @inline(__always) func scanRow(_ row: Int, _ values: UnsafePointer<Float>, count: Int, firstColumn: Int, excluding: Int) {
        var floor = self.floor(row)
        var floors = SIMD16<Float>(repeating: floor)     // built once per change of the floor, not per vector
        var j = 0
        while j + 16 <= count {
            let v = UnsafeRawPointer(values + j).loadUnaligned(as: SIMD16<Float>.self)
            if any(v .>= floors) {
                for jj in j..<(j + 16) where values[jj] >= floor {
                    let column = firstColumn + jj
                    if column == excluding { continue }
                    offer(row, values[jj], Int32(column))
                    floor = self.floor(row)
                }
                floors = SIMD16(repeating: floor)
            }
            j += 16
        }
        for jj in j..<count where values[jj] >= floor {
            let column = firstColumn + jj
            if column == excluding { continue }
            offer(row, values[jj], Int32(column))
            floor = self.floor(row)
        }
    }

    /// `scanRow` for a large k (a retrieval's depth of a whole class): the values at or above the row's floor are
    /// gathered first (in `scratch`, room for k + `count` pairs) and, when there are more than k/8 of them, put
    /// together with the kept pairs and the best k selected in one pass — O(k + count) — instead of sifting each
    /// through the heap (O(count · log k)). The kept set is the same: the k best under the one total order.
    @inline(__always) func scanRowGathering(_ row: Int, _ values: UnsafePointer<Float>, count: Int, firstColumn: Int, excluding: Int,
                                            scratch: UnsafeMutablePointer<TopKCandidate>) {
        let floor = self.floor(row)
        let floors = SIMD16<Float>(repeating: floor)
        let gathered = scratch + k
        var found = 0
        var j = 0
        while j + 16 <= count {
            let v = UnsafeRawPointer(values + j).loadUnaligned(as: SIMD16<Float>.self)
            if any(v .>= floors) {
                for jj in j..<(j + 16) where values[jj] >= floor && firstColumn + jj != excluding {
                    gathered[found] = TopKCandidate(similarity: values[jj], index: Int32(firstColumn + jj))
                    found += 1
                }
            }
            j += 16
        }
        for jj in j..<count where values[jj] >= floor && firstColumn + jj != excluding {
            gathered[found] = TopKCandidate(similarity: values[jj], index: Int32(firstColumn + jj))
            found += 1
        }
        guard found > 0 else { return }
        let sims = self.sims + row * k, indices = self.indices + row * k
        if found < k / 8 {
            for t in 0..<found { offer(row, gathered[t].similarity, gathered[t].index) }
            return
        }
        for t in 0..<k { scratch[t] = TopKCandidate(similarity: sims[t], index: indices[t]) }
        Self.selectBest(scratch, count: k + found, k: k)
        for t in 0..<k { sims[t] = scratch[t].similarity; indices[t] = scratch[t].index }
        heapify(row)
    }

    /// Offers one row of a block to the heaps of its columns instead (the other side of a symmetric block): value j
    /// goes to heap `j` as the pair (value, `index`). `floors[j]` mirrors heap j's floor, so sixteen columns are
    /// checked with one vector compare; it is updated here.
    @inline(__always) func scanColumns(_ values: UnsafePointer<Float>, count: Int, index: Int32, floors: UnsafeMutablePointer<Float>) {
        var j = 0
        while j + 16 <= count {
            let v = UnsafeRawPointer(values + j).loadUnaligned(as: SIMD16<Float>.self)
            let f = UnsafeRawPointer(floors + j).loadUnaligned(as: SIMD16<Float>.self)
            if any(v .>= f) {
                for jj in j..<(j + 16) where values[jj] >= floors[jj] {
                    offer(jj, values[jj], index)
                    floors[jj] = floor(jj)
                }
            }
            j += 16
        }
        for jj in j..<count where values[jj] >= floors[jj] {
            offer(jj, values[jj], index)
            floors[jj] = floor(jj)
        }
    }

    /// Offers every kept pair of `other`'s row `otherRow` to this row `row` (merging two partial searches).
    @inline(__always) func merge(_ row: Int, from other: TopKRows, row otherRow: Int) {
        for t in 0..<k where other.indices[otherRow * k + t] >= 0 {
            offer(row, other.sims[otherRow * k + t], other.indices[otherRow * k + t])
        }
    }

    /// Empties rows `rows` (every slot back to (−∞, −1)).
    func clear(_ rows: Range<Int>) {
        (sims + rows.lowerBound * k).update(repeating: -.infinity, count: rows.count * k)
        (indices + rows.lowerBound * k).update(repeating: -1, count: rows.count * k)
    }

    /// Sorts each heap of `rows` into its final order: similarity descending, equal similarities by index ascending.
    /// Each pair is packed into one integer key that sorts in that order (see `sortKey`), so the sort compares plain
    /// integers; −0 comes back as +0, the only change to a similarity.
    func sortRows(_ rows: Range<Int>) {
        var keys = [UInt64](repeating: 0, count: k)
        for row in rows {
            let sims = self.sims + row * k, indices = self.indices + row * k
            for t in 0..<k { keys[t] = Self.sortKey(sims[t], indices[t]) }
            keys.sort()
            for (t, key) in keys.enumerated() {
                sims[t] = Self.similarity(ofKey: key)
                indices[t] = Int32(bitPattern: UInt32(truncatingIfNeeded: key))
            }
        }
    }

    /// An integer whose ascending order is the pairs' final order: the high half is the similarity's bits mapped so
    /// that larger floats give smaller numbers (−0 first made +0, which compares equal to it), the low half the index
    /// as unsigned (an empty slot's −1 last). Similarities are finite or −∞ (empty), never NaN.
    @inline(__always) static func sortKey(_ similarity: Float, _ index: Int32) -> UInt64 {
        let bits = (similarity + 0).bitPattern
        let ascending = bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
        return UInt64(~ascending) << 32 | UInt64(UInt32(bitPattern: index))
    }

    @inline(__always) static func similarity(ofKey key: UInt64) -> Float {
        let ascending = ~UInt32(truncatingIfNeeded: key >> 32)
        return Float(bitPattern: ascending & 0x8000_0000 != 0 ? ascending & 0x7FFF_FFFF : ~ascending)
    }

    /// Reorders `pairs[0..<count]` so that its first k are the k best (in no particular order): Hoare-partition
    /// quickselect on the median of three, which stays linear on the many equal empty slots of a young heap.
    static func selectBest(_ pairs: UnsafeMutablePointer<TopKCandidate>, count: Int, k: Int) {
        var lo = 0, hi = count - 1
        let target = k - 1                                  // the k-th best's position once selected
        @inline(__always) func better(_ a: TopKCandidate, _ b: TopKCandidate) -> Bool {
            worse(b.similarity, b.index, a.similarity, a.index)
        }
        @inline(__always) func swap(_ a: Int, _ b: Int) { let t = pairs[a]; pairs[a] = pairs[b]; pairs[b] = t }
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            if better(pairs[mid], pairs[lo]) { swap(lo, mid) }
            if better(pairs[hi], pairs[lo]) { swap(lo, hi) }
            if better(pairs[hi], pairs[mid]) { swap(mid, hi) }
            let pivot = pairs[mid]
            var i = lo - 1, j = hi + 1
            while true {
                repeat { i += 1 } while better(pairs[i], pivot)
                repeat { j -= 1 } while better(pivot, pairs[j])
                if i >= j { break }
                swap(i, j)
            }
            // pairs[lo...j] are at least as good as pairs[j+1...hi].
            if target <= j { hi = j } else { lo = j + 1 }
        }
    }

    /// Restores row `row`'s heap order (worst at the root) after its slots were rewritten.
    private func heapify(_ row: Int) {
        var start = k / 2 - 1
        while start >= 0 { siftDown(row, from: start); start -= 1 }
    }

    /// `a` ranks below `b`: smaller similarity, or equal similarity and larger index. Empty slots (−∞, −1) lose.
    @inline(__always) static func worse(_ sa: Float, _ ia: Int32, _ sb: Float, _ ib: Int32) -> Bool {
        if sa != sb { return sa < sb }
        if ia < 0 || ib < 0 { return ia < 0 && ib >= 0 }
        return ia > ib
    }

    /// Puts (s, i) into row `row`'s heap if it beats the root, then sifts it down.
    @inline(__always) func offer(_ row: Int, _ s: Float, _ i: Int32) {
        let sims = self.sims + row * k, indices = self.indices + row * k
        guard Self.worse(sims[0], indices[0], s, i) else { return }
        sims[0] = s; indices[0] = i
        siftDown(row, from: 0)
    }

    /// Moves slot `p` of row `row` down until neither child ranks below it.
    @inline(__always) private func siftDown(_ row: Int, from start: Int) {
        let sims = self.sims + row * k, indices = self.indices + row * k
        var p = start
        while true {
            let l = 2 * p + 1, r = l + 1
            var w = p
            if l < k && Self.worse(sims[l], indices[l], sims[w], indices[w]) { w = l }
            if r < k && Self.worse(sims[r], indices[r], sims[w], indices[w]) { w = r }
            if w == p { return }
            let s = sims[p]; sims[p] = sims[w]; sims[w] = s
            let t = indices[p]; indices[p] = indices[w]; indices[w] = t
            p = w
        }
    }
}

/// A (similarity, index) pair gathered for `TopKRows.scanRowGathering`.
struct TopKCandidate {
    var similarity: Float
    var index: Int32
}
