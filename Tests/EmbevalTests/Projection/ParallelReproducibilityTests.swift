import Foundation
import Testing
@testable import Embeval

// Seeded maps are the same bit for bit on any number of cores: each is made with the machine's threads and again as
// if the machine had 1 or 7 cores (`Parallel.simulatingCores`: default chunk counts follow, loops run in index order),
// and compared.

@Test func seededTSNEIsTheSameOnOneCoreAndOnAll() throws {
    let (x, _) = clusteredEmbeddings(rows: 400, columns: 10, classes: 4, seed: 21)
    for method in [TSNE.Method.fft, .barnesHut] {
        var tsne = TSNE(seed: 3, method: method)
        tsne.earlyExaggerationIterations = 30
        tsne.iterations = 40
        let parallel = try tsne.fit(x)
        #expect(parallel.method == method)
        for cores in [1, 7] {
            let other = try Parallel.simulatingCores(cores) { try tsne.fit(x) }
            #expect(parallel.embedding == other.embedding, "\(method), \(cores) cores")
            #expect(parallel.klDivergence == other.klDivergence, "\(method), \(cores) cores")
        }
        #expect(try tsne.fit(x).embedding == parallel.embedding, "\(method): a repeated run")
    }
}

@Test func seededUMAPIsTheSameOnOneCoreAndOnAll() throws {
    let (x, _) = clusteredEmbeddings(rows: 300, columns: 8, classes: 4, seed: 5)
    var umap = UMAP(epochs: 40, seed: 11)
    umap.exactNeighborsLimit = 0               // nearest-neighbour descent, not the exact graph
    let parallel = try umap.fit(x)
    for cores in [1, 7] { #expect(try Parallel.simulatingCores(cores) { try umap.fit(x) } == parallel, "\(cores) cores") }
    #expect(try umap.fit(x) == parallel)
}

@Test func nearestNeighbourDescentIsTheSameOnOneCoreAndOnAll() throws {
    let (x, _) = clusteredEmbeddings(rows: 700, columns: 12, classes: 5, seed: 8)
    let descent = NearestNeighborDescent(k: 10, seed: 4)
    let parallel = descent.graph(x)
    for cores in [1, 7] { #expect(Parallel.simulatingCores(cores) { descent.graph(x) } == parallel, "\(cores) cores") }
    // The local join in batches (bounded memory at a million points) gives the same graph as in one piece.
    for batch in [1, 37, 700] {
        var batched = descent
        batched.joinBatch = batch
        #expect(batched.graph(x) == parallel, "join batches of \(batch)")
    }
    // And it finds the neighbours: recall against the exact graph.
    let exact = EuclideanNeighbors.exact(queries: x, references: x, k: 10, includingSelf: true)
    var hits = 0
    for i in 0..<x.rows {
        let truth = Set(exact.indices[(i * 10)..<((i + 1) * 10)])
        hits += parallel.indices[(i * 10)..<((i + 1) * 10)].filter { truth.contains($0) }.count
    }
    #expect(Double(hits) / Double(10 * x.rows) > 0.95)
}

@Test(arguments: [8, 12, 24, 32])
func fftKernelConvolutionEqualsTheDirectSum(size g: Int) {
    var gen = SeededGenerator(seed: UInt64(g))
    func uniform() -> Double { Double(gen.next() >> 11) / Double(1 << 53) - 0.5 }
    let m = g / 2 - 1                                    // occupied rows
    // A kernel even in both axes: k(r, c) = f(min(r, g − r), min(c, g − c)).
    let half = g / 2 + 1
    let f = (0..<(half * half)).map { _ in uniform() }
    func kernel(_ r: Int, _ c: Int) -> Double { f[min(r, g - r) * half + min(c, g - c)] }
    let grids = (0..<2).map { _ in (re: (0..<(m * g)).map { _ in uniform() }, im: (0..<(m * g)).map { _ in uniform() }) }
    func convolved(serially: Bool) -> [[Double]] {
        var out = [[Double]]()
        for grid in grids {
            var re = grid.re, im = grid.im
            re.withUnsafeMutableBufferPointer { r in im.withUnsafeMutableBufferPointer { i in
                let pointers = (re: r.baseAddress!, im: i.baseAddress!)
                func run() {
                    FFTKernelConvolution(atLeast: g).convolve(grids: [pointers], rows: m) { row, values in
                        for c in 0..<g { values[c] = kernel(row, c) }
                    }
                }
                if serially { Parallel.simulatingCores(1) { run() } } else { run() }
            }}
            out.append(re); out.append(im)
        }
        return out
    }
    let fast = convolved(serially: false)
    #expect(fast == convolved(serially: true))
    for (index, grid) in grids.enumerated() {
        for u in 0..<m { for v in 0..<g {
            var sr = 0.0, si = 0.0
            for a in 0..<m { for b in 0..<g {
                let k = kernel((u - a + g) % g, (v - b + g) % g)
                sr += k * grid.re[a * g + b]; si += k * grid.im[a * g + b]
            } }
            #expect(abs(fast[2 * index][u * g + v] - sr) < 1e-10 && abs(fast[2 * index + 1][u * g + v] - si) < 1e-10)
        } }
    }
}

/// Without a seed, `explore` runs UMAP's layout on every core (racing on coordinates, as umap-learn's unseeded mode
/// does): the map is no longer bit-reproducible but keeps the seeded map's quality.
@Test func parallelUMAPLayoutKeepsTheSeededQuality() throws {
    let x = try NumpyArray.readMatrix(at: TestPaths.fixture("projection/umap_input.npy"))
    var umap = UMAP(epochs: 200, seed: 7)
    let seeded = try umap.fit(x)
    umap.layoutThreads = 4                      // 32 chunks of edges a epoch, on all cores
    let parallel = try umap.fit(x)
    let a = Trustworthiness.score(original: x, map: seeded.embedding, k: 10)
    let b = Trustworthiness.score(original: x, map: parallel.embedding, k: 10)
    #expect(abs(a - b) <= 0.01, "trustworthiness: seeded \(a), parallel \(b)")
    #expect(parallel.embedding.values.allSatisfy { $0.isFinite })
}

/// The convolution's grid is even whatever the node count asked for (its real rows and columns are paired).
@Test func fftConvolutionGridsAreEvenAndLargeEnough() {
    for n in -3...200 {
        let size = FFTKernelConvolution(atLeast: n).size
        #expect(size % 2 == 0 && size >= max(n, 4), "\(n) → \(size)")
    }
}
