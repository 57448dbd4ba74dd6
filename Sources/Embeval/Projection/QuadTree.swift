import Foundation

/// A space-partitioning tree over points in 2-D (quad tree) or 3-D (oct tree), for Barnes–Hut sums of the
/// t-SNE repulsive forces (van der Maaten 2014).
///
/// The root is the cube of side max(range over the axes) centred on the bounding box. A node splits into the
/// 2^dims half-side cubes around its centre (a coordinate > centre goes to the upper half); a node is a leaf when it
/// holds one point or only points within 1e-6 of each other on every axis. Every node keeps its point count and
/// centre of mass. Nodes live in flat arrays, children of a node next to each other (empty children are not stored).
struct QuadTree {
    let dims: Int
    private(set) var centreOfMass: [Double] = []   // nodes × dims
    private(set) var count: [Double] = []          // points under the node
    private(set) var side: [Double] = []           // side of the node's cube
    private(set) var firstChild: [Int32] = []      // −1 for a leaf
    private(set) var childCount: [Int32] = []

    /// Builds the tree over `n` points stored row-major (`n × dims`) in `points`.
    init(points: UnsafeBufferPointer<Double>, count n: Int, dims: Int) {
        precondition(dims == 2 || dims == 3, "QuadTree: 2 or 3 dimensions")
        precondition(points.count >= n * dims)
        self.dims = dims
        guard n > 0 else { return }
        var lower = [Double](repeating: .infinity, count: dims), upper = [Double](repeating: -.infinity, count: dims)
        for i in 0..<n { for d in 0..<dims {
            lower[d] = min(lower[d], points[i * dims + d]); upper[d] = max(upper[d], points[i * dims + d])
        } }
        var centre = (0..<dims).map { (lower[$0] + upper[$0]) / 2 }
        let rootSide = (0..<dims).map { upper[$0] - lower[$0] }.max()!
        var order = [Int32](unsafeUninitializedCapacity: n) { b, c in for i in 0..<n { b[i] = Int32(i) }; c = n }
        var scratch = [Int32](repeating: 0, count: n)
        reserve(estimate: 2 * n)
        _ = appendNode()
        order.withUnsafeMutableBufferPointer { o in
            scratch.withUnsafeMutableBufferPointer { s in
                build(node: 0, points: points, order: o, scratch: s, lo: 0, hi: n, centre: &centre, side: rootSide, depth: 0)
            }
        }
    }

    var nodeCount: Int { count.count }

    private mutating func reserve(estimate: Int) {
        centreOfMass.reserveCapacity(estimate * dims)
        count.reserveCapacity(estimate); side.reserveCapacity(estimate)
        firstChild.reserveCapacity(estimate); childCount.reserveCapacity(estimate)
    }

    private mutating func appendNode() -> Int {
        centreOfMass.append(contentsOf: repeatElement(0, count: dims))
        count.append(0); side.append(0); firstChild.append(-1); childCount.append(0)
        return count.count - 1
    }

    private mutating func build(node: Int, points: UnsafeBufferPointer<Double>, order: UnsafeMutableBufferPointer<Int32>,
                                scratch: UnsafeMutableBufferPointer<Int32>, lo: Int, hi: Int,
                                centre: inout [Double], side nodeSide: Double, depth: Int) {
        let m = hi - lo
        var com = [Double](repeating: 0, count: dims)
        var lower = [Double](repeating: .infinity, count: dims), upper = [Double](repeating: -.infinity, count: dims)
        for t in lo..<hi {
            let p = Int(order[t]) * dims
            for d in 0..<dims {
                let v = points[p + d]
                com[d] += v; lower[d] = min(lower[d], v); upper[d] = max(upper[d], v)
            }
        }
        for d in 0..<dims { centreOfMass[node * dims + d] = com[d] / Double(m) }
        count[node] = Double(m)
        side[node] = nodeSide
        let duplicates = (0..<dims).allSatisfy { upper[$0] - lower[$0] < 1e-6 }
        if m == 1 || duplicates || depth >= 64 { return }

        // Counting sort of the node's points into its 2^dims children.
        let children = 1 << dims
        var bucketSize = [Int](repeating: 0, count: children)
        var bucketOf = [Int](repeating: 0, count: m)
        for t in lo..<hi {
            let p = Int(order[t]) * dims
            var b = 0
            for d in 0..<dims where points[p + d] > centre[d] { b |= 1 << d }
            bucketOf[t - lo] = b
            bucketSize[b] += 1
        }
        var start = [Int](repeating: 0, count: children + 1)
        for b in 0..<children { start[b + 1] = start[b] + bucketSize[b] }
        var fill = start
        for t in lo..<hi { let b = bucketOf[t - lo]; scratch[lo + fill[b]] = order[t]; fill[b] += 1 }
        for t in lo..<hi { order[t] = scratch[t] }

        let nonEmpty = (0..<children).filter { bucketSize[$0] > 0 }
        let first = count.count
        for _ in nonEmpty { _ = appendNode() }
        firstChild[node] = Int32(first)
        childCount[node] = Int32(nonEmpty.count)
        let half = nodeSide / 2
        for (c, b) in nonEmpty.enumerated() {
            var childCentre = centre
            for d in 0..<dims { childCentre[d] += (b & (1 << d)) != 0 ? half / 2 : -half / 2 }
            build(node: first + c, points: points, order: order, scratch: scratch, lo: lo + start[b], hi: lo + start[b + 1],
                  centre: &childCentre, side: half, depth: depth + 1)
        }
    }

    /// Barnes–Hut estimate, for the point `p` (`dims` values), of Σⱼ qⱼ and Σⱼ qⱼ²·(p − yⱼ) with
    /// qⱼ = 1 / (1 + |p − yⱼ|²) over the tree's points: a node is summarised by its centre of mass when it is a leaf
    /// or side / distance < theta. The result is added to `force` (dims values); the q sum is returned.
    /// A tree point equal to `p` contributes q = 1 and no force.
    func repulsion(at p: UnsafePointer<Double>, theta: Double, force: UnsafeMutablePointer<Double>) -> Double {
        guard nodeCount > 0 else { return 0 }
        return centreOfMass.withUnsafeBufferPointer { comB in
            count.withUnsafeBufferPointer { cntB in
            side.withUnsafeBufferPointer { sideB in
            firstChild.withUnsafeBufferPointer { fcB in
            childCount.withUnsafeBufferPointer { ccB in
                let com = comB.baseAddress!, cnt = cntB.baseAddress!, sd = sideB.baseAddress!
                let fc = fcB.baseAddress!, cc = ccB.baseAddress!
                let theta2 = theta * theta
                var sumQ = 0.0
                var stack = [Int32](repeating: 0, count: 64 * 8 + 16)
                return stack.withUnsafeMutableBufferPointer { st -> Double in
                    let s = st.baseAddress!
                    var top = 1
                    s[0] = 0
                    if dims == 2 {
                        let px = p[0], py = p[1]
                        var fx = 0.0, fy = 0.0
                        while top > 0 {
                            top -= 1
                            let node = Int(s[top])
                            let dx = px - com[2 * node], dy = py - com[2 * node + 1]
                            let dist2 = dx * dx + dy * dy
                            let first = fc[node]
                            if first < 0 || sd[node] * sd[node] < theta2 * dist2 {
                                let q = 1 / (1 + dist2)
                                let cq = cnt[node] * q
                                sumQ += cq
                                let w = cq * q
                                fx += w * dx; fy += w * dy
                            } else {
                                for c in 0..<Int(cc[node]) { s[top] = first + Int32(c); top += 1 }
                            }
                        }
                        force[0] += fx; force[1] += fy
                    } else {
                        let px = p[0], py = p[1], pz = p[2]
                        var fx = 0.0, fy = 0.0, fz = 0.0
                        while top > 0 {
                            top -= 1
                            let node = Int(s[top])
                            let dx = px - com[3 * node], dy = py - com[3 * node + 1], dz = pz - com[3 * node + 2]
                            let dist2 = dx * dx + dy * dy + dz * dz
                            let first = fc[node]
                            if first < 0 || sd[node] * sd[node] < theta2 * dist2 {
                                let q = 1 / (1 + dist2)
                                let cq = cnt[node] * q
                                sumQ += cq
                                let w = cq * q
                                fx += w * dx; fy += w * dy; fz += w * dz
                            } else {
                                for c in 0..<Int(cc[node]) { s[top] = first + Int32(c); top += 1 }
                            }
                        }
                        force[0] += fx; force[1] += fy; force[2] += fz
                    }
                    return sumQ
                }
            }}}}
        }
    }
}
