import Foundation

/// The blocked exact search behind `NearestNeighbors`.
///
/// The references are read a round at a time (`roundRows` rows, normalised once); in each round every chunk of
/// `chunkRows` queries is one task — a single-threaded sgemm into the task's own similarity block, then a scan of
/// that block into the chunk's heaps while it is still in cache. The tasks of a round run on all cores, so one
/// core's selection overlaps the other's GEMM and the only barrier is the end of a round.
///
/// Symmetric (a leave-one-out over a whole set): the similarity matrix is symmetric, so each pair of rows is
/// computed once. A chunk meets only the columns from its own first row on; the block's rows feed the chunk's
/// heaps and its columns feed the heaps of the later rows, kept per task and merged at the end of the round. Only
/// the pairs inside one chunk (its square) are computed twice.
///
/// A large k (from `gatheringFromK`) gathers each row's values above its floor before selecting; against other rows,
/// and when they fit, the rows keep candidates in `TopKBuffers` rather than heaps.
struct NeighbourSearch {
    let k: Int
    let normalizing: Bool
    /// A symmetric search by Euclidean distance: −‖xᵢ‖²/2 of every row, added to each block for both of its sides, so
    /// the block holds xᵢ·xⱼ − ‖xᵢ‖²/2 − ‖xⱼ‖²/2 = −‖xᵢ − xⱼ‖²/2 — still symmetric, and largest for the nearest.
    var halfNegativeSquaredNorms: [Float]? = nil
    /// From this k on, a row's candidates are gathered and merged with its heap in one selection (`scanRowGathering`).
    var gatheringFromK = 64
    /// A search against other rows that gathers keeps its candidates in buffers of 2k pairs a row instead of heaps
    /// (`TopKBuffers`: a selection once per k kept, not once per round) when queries × k is at most this (16M
    /// pairs: 256 MB of buffers beside the 128 MB of results).
    var bufferingUpToPairs = 1 << 24

    static let chunkRows = 512
    static let roundRows = 4096
    /// Queries up to this many floats (256 MB) are prepared once; more are prepared chunk by chunk.
    static let preparedFloats = 1 << 26

    /// Heaps filled for every row of `queries` (sorted), as (indices, similarities), `queries.rows × k` each.
    /// - Parameters:
    ///   - symmetric: `references` is `queries` itself, and a row never gets itself (a whole-set leave-one-out).
    ///   - excludedOffset: not symmetric: query row i never gets reference `excludedOffset + i` (nil: no exclusion).
    ///   - pairs: also reports every pair at or above its floor, once per pair (symmetric: query row < reference
    ///     row; otherwise reference j as node `queries.rows + j`), while each block is still in cache.
    func run<Queries: RowBlocks, References: RowBlocks>(queries: Queries, references: References, symmetric: Bool,
                                                        excludedOffset: Int?, pairs: PairCollector? = nil) -> (indices: [Int32], similarities: [Float]) {
        let m = queries.rows, n = references.rows, d = queries.columns, k = self.k
        var indices = [Int32](repeating: -1, count: m * k)
        var sims = [Float](repeating: -.infinity, count: m * k)
        let queriesAtOnce = m * d <= Self.preparedFloats
        var prepared = [Float](repeating: 0, count: queriesAtOnce ? m * d : 0)
        // A round's references, normalised, unless they can be read as they are (or from the prepared queries).
        let roundNeedsCopy = normalizing && !(symmetric && queriesAtOnce)
        var roundBuffer = [Float](repeating: 0, count: roundNeedsCopy ? min(Self.roundRows, n) * d : 0)
        let gathering = k >= gatheringFromK
        let buffering = gathering && !symmetric && m * k <= bufferingUpToPairs
        var buffered = [TopKCandidate](repeating: TopKCandidate(similarity: -.infinity, index: -1), count: buffering ? m * 2 * k : 0)
        var bufferedCounts = [Int](repeating: 0, count: buffering ? m : 0)
        var bufferedFloors = [Float](repeating: -.infinity, count: buffering ? m : 0)
        let pool = WorkspacePool(blockFloats: Self.chunkRows * min(Self.roundRows, n),
                                 queryFloats: queriesAtOnce ? 0 : Self.chunkRows * d,
                                 columnHeapRows: symmetric ? min(Self.roundRows, n) : 0, k: k,
                                 candidates: gathering && !buffering ? k + min(Self.roundRows, n) : 0)
        let chunkCount = (m + Self.chunkRows - 1) / Self.chunkRows
        // Against other rows the chunks share the queries evenly (1,000 queries: 500 + 500, not 512 + 488), so no core
        // waits at the end of a round for a longer last chunk. A symmetric search keeps whole chunks: its columns start
        // at a chunk's first row.
        let chunkRows = symmetric ? Self.chunkRows : (m + chunkCount - 1) / max(chunkCount, 1)

        BLAS.singleThreaded {
        indices.withUnsafeMutableBufferPointer { heapIdx in
        sims.withUnsafeMutableBufferPointer { heapSim in
        prepared.withUnsafeMutableBufferPointer { preparedBuffer in
        roundBuffer.withUnsafeMutableBufferPointer { roundBuf in
        buffered.withUnsafeMutableBufferPointer { bufferedPairs in
        bufferedCounts.withUnsafeMutableBufferPointer { bufferedCount in
        bufferedFloors.withUnsafeMutableBufferPointer { bufferedFloor in
            let heaps = TopKRows(sims: heapSim.baseAddress!, indices: heapIdx.baseAddress!, k: k)
            let buffers = buffering ? TopKBuffers(pairs: bufferedPairs.baseAddress!, counts: bufferedCount.baseAddress!,
                                                  floors: bufferedFloor.baseAddress!, k: k) : nil
            if queriesAtOnce {
                Parallel.forEachRange(m) { rows in
                    let target = UnsafeMutableBufferPointer(rebasing: preparedBuffer[(rows.lowerBound * d)..<(rows.upperBound * d)])
                    prepare(queries, rows, into: target, columns: d)
                }
            }
            for r0 in stride(from: 0, to: n, by: Self.roundRows) {
                let rb = min(Self.roundRows, n - r0)
                references.withRows(r0..<(r0 + rb)) { raw in
                    let round: UnsafeBufferPointer<Float>
                    if symmetric && queriesAtOnce {
                        round = UnsafeBufferPointer(rebasing: preparedBuffer[(r0 * d)..<((r0 + rb) * d)])
                    } else if normalizing {
                        let target = UnsafeMutableBufferPointer(rebasing: roundBuf[0..<(rb * d)])
                        Parallel.forEachRange(rb) { rows in
                            Matrix.normalizeRows(UnsafeBufferPointer(rebasing: raw[(rows.lowerBound * d)..<(rows.upperBound * d)]),
                                                 into: UnsafeMutableBufferPointer(rebasing: target[(rows.lowerBound * d)..<(rows.upperBound * d)]),
                                                 columns: d)
                        }
                        round = UnsafeBufferPointer(target)
                    } else {
                        round = raw
                    }
                    // Symmetric: only the chunks that start before the round ends meet it.
                    let chunks = symmetric ? (r0 + rb + Self.chunkRows - 1) / Self.chunkRows : chunkCount
                    pool.beginRound()
                    Parallel.forEach(chunks) { c in
                        let work = pool.take()
                        defer { pool.give(work) }
                        let q0 = c * chunkRows, qb = min(chunkRows, m - q0)
                        let first = symmetric ? max(r0, q0) : r0          // the first reference column this chunk meets
                        let columns = r0 + rb - first
                        let q: UnsafeBufferPointer<Float>
                        if queriesAtOnce {
                            q = UnsafeBufferPointer(rebasing: preparedBuffer[(q0 * d)..<((q0 + qb) * d)])
                        } else {
                            let target = UnsafeMutableBufferPointer(rebasing: work.queries[0..<(qb * d)])
                            prepare(queries, q0..<(q0 + qb), into: target, columns: d)
                            q = UnsafeBufferPointer(target)
                        }
                        let block = work.block
                        BLAS.multiplyTransposed(q, rows: qb, UnsafeBufferPointer(rebasing: round[((first - r0) * d)...]),
                                                rows: columns, depth: d, into: block)
                        if symmetric, let terms = halfNegativeSquaredNorms {
                            for i in 0..<qb {
                                let own = terms[q0 + i], line = block.baseAddress! + i * columns
                                for c in 0..<columns { line[c] += own + terms[first + c] }
                            }
                        }
                        let values = UnsafePointer(block.baseAddress!)
                        for i in 0..<qb {
                            let row = q0 + i
                            let excluded = symmetric ? row : excludedOffset.map { $0 + row } ?? -1
                            if let buffers {
                                buffers.scanRow(row, values + i * columns, count: columns, firstColumn: first, excluding: excluded)
                            } else if gathering {
                                heaps.scanRowGathering(row, values + i * columns, count: columns, firstColumn: first, excluding: excluded,
                                                       scratch: work.candidates.baseAddress!)
                            } else {
                                heaps.scanRow(row, values + i * columns, count: columns, firstColumn: first, excluding: excluded)
                            }
                        }
                        if let pairs {
                            pairs.add(Self.pairs(in: values, rows: q0..<(q0 + qb), columns: columns, firstColumn: first,
                                                 floor: pairs.floor, symmetric: symmetric, excludedOffset: excludedOffset,
                                                 referenceNode: symmetric ? 0 : m))
                        }
                        // The other side: columns after the chunk's own rows feed those rows' heaps (this task's copy).
                        if symmetric {
                            let start = max(q0 + qb, first)
                            guard start < r0 + rb else { return }
                            let local = start - r0, skip = start - first
                            let columnHeaps = TopKRows(sims: work.columnSims.baseAddress! + local * k,
                                                       indices: work.columnIndices.baseAddress! + local * k, k: k)
                            let floors = work.columnFloors.baseAddress! + local
                            for i in 0..<qb {
                                columnHeaps.scanColumns(values + i * columns + skip, count: r0 + rb - start,
                                                        index: Int32(q0 + i), floors: floors)
                            }
                        }
                    }
                    if symmetric {
                        let used = pool.workspacesUsedThisRound()
                        Parallel.forEachRange(rb) { rows in
                            for work in used {
                                let columnHeaps = TopKRows(sims: work.columnSims.baseAddress!, indices: work.columnIndices.baseAddress!, k: k)
                                for j in rows { heaps.merge(r0 + j, from: columnHeaps, row: j) }
                            }
                        }
                    }
                }
            }
            Parallel.forEachRange(m) { rows in
                if let buffers { for row in rows { buffers.finish(row, into: heaps) } }
                heaps.sortRows(rows)
            }
        }}}}}}}}
        return (indices, sims)
    }

    /// The pairs of one similarity block at or above `floor`: in a symmetric search only those with the column
    /// after the row (each pair once), never a row with itself or its excluded reference.
    private static func pairs(in values: UnsafePointer<Float>, rows: Range<Int>, columns: Int, firstColumn: Int, floor: Float,
                              symmetric: Bool, excludedOffset: Int?, referenceNode: Int) -> [SimilarPairs.Pair] {
        var found = [SimilarPairs.Pair]()
        for (i, row) in rows.enumerated() {
            let line = values + i * columns
            let start = symmetric ? max(0, row + 1 - firstColumn) : 0
            guard start < columns else { continue }
            let excluded = symmetric ? -1 : excludedOffset.map { $0 + row } ?? -1
            for c in start..<columns where line[c] >= floor {
                let column = firstColumn + c
                if column == excluded { continue }
                found.append(.init(first: row, second: referenceNode + column, similarity: line[c]))
            }
        }
        return found
    }

    /// Rows `rows` of `source` into `target`: L2-normalised when the search normalises, else copied.
    private func prepare<Rows: RowBlocks>(_ source: Rows, _ rows: Range<Int>, into target: UnsafeMutableBufferPointer<Float>, columns: Int) {
        source.withRows(rows) { raw in
            if normalizing { Matrix.normalizeRows(raw, into: target, columns: columns) } else { _ = target.initialize(from: raw) }
        }
    }
}

/// One task's scratch memory: its similarity block, its query rows when they are prepared per chunk, (in a
/// symmetric search) its own heaps for the round's columns, and (for a large k) room to gather a row's candidates.
private final class Workspace {
    let block: UnsafeMutableBufferPointer<Float>
    let queries: UnsafeMutableBufferPointer<Float>
    let candidates: UnsafeMutableBufferPointer<TopKCandidate>
    let columnSims: UnsafeMutableBufferPointer<Float>
    let columnIndices: UnsafeMutableBufferPointer<Int32>
    let columnFloors: UnsafeMutableBufferPointer<Float>
    /// The round whose column heaps this holds (−1: none yet).
    var round = -1

    init(blockFloats: Int, queryFloats: Int, columnHeapRows: Int, k: Int, candidates: Int) {
        block = .allocate(capacity: blockFloats)
        queries = .allocate(capacity: queryFloats)
        self.candidates = .allocate(capacity: candidates)
        columnSims = .allocate(capacity: columnHeapRows * k)
        columnIndices = .allocate(capacity: columnHeapRows * k)
        columnFloors = .allocate(capacity: columnHeapRows)
    }

    /// Empties the column heaps for a new round.
    func reset(round: Int) {
        self.round = round
        columnSims.update(repeating: -.infinity)
        columnIndices.update(repeating: -1)
        columnFloors.update(repeating: -.infinity)
    }

    deinit {
        block.deallocate(); queries.deallocate(); candidates.deallocate()
        columnSims.deallocate(); columnIndices.deallocate(); columnFloors.deallocate()
    }
}

/// Workspaces handed to concurrent tasks, one per task at a time, created as concurrency requires (about one per
/// core) and reused across tasks and rounds.
private final class WorkspacePool: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [Workspace] = []
    private var all: [Workspace] = []
    private var round = -1
    private let blockFloats, queryFloats, columnHeapRows, k, candidates: Int

    init(blockFloats: Int, queryFloats: Int, columnHeapRows: Int, k: Int, candidates: Int) {
        self.blockFloats = blockFloats
        self.queryFloats = queryFloats
        self.columnHeapRows = columnHeapRows
        self.k = k
        self.candidates = candidates
    }

    /// Starts a round: column heaps of workspaces taken from now on are emptied first.
    func beginRound() {
        lock.lock(); defer { lock.unlock() }
        round += 1
    }

    func take() -> Workspace {
        lock.lock()
        let work = free.popLast() ?? {
            let w = Workspace(blockFloats: blockFloats, queryFloats: queryFloats, columnHeapRows: columnHeapRows, k: k,
                              candidates: candidates)
            all.append(w)
            return w
        }()
        let round = self.round
        lock.unlock()
        if columnHeapRows > 0 && work.round != round { work.reset(round: round) }
        return work
    }

    func give(_ work: Workspace) {
        lock.lock(); defer { lock.unlock() }
        free.append(work)
    }

    /// The workspaces whose column heaps hold this round's pairs.
    func workspacesUsedThisRound() -> [Workspace] {
        lock.lock(); defer { lock.unlock() }
        return all.filter { $0.round == round }
    }
}
