import Foundation
import Testing
@testable import Embeval

/// Parametric maps (issue 14): a network trained in Swift reproduces a map, seeded and reproducible; its ONNX export
/// passes ONNX Runtime (here and, through the fixture, Python's: `tools/fixtures/parametric.py`) with the same
/// coordinates; `explore --parametric` measures it on held-out points; bad input is one line.
@Suite struct ParametricMapTests {
    static let fixture = TestPaths.fixture("parametric/map")

    /// Rows on two noisy arcs in 12 dimensions, and a smooth 2-D "map" of them to learn.
    static func arcs(_ n: Int, seed: UInt64) -> (Matrix, Matrix) {
        var g = SeededGenerator(seed: seed)
        func u() -> Float { Float(Double(g.next() >> 11) / 9_007_199_254_740_992) }
        var x = [Float](), y = [Float]()
        for i in 0..<n {
            let t = u() * 3, arc = Float(i % 2)
            var row = [Float](repeating: 0, count: 12)
            row[0] = cos(t) + arc * 2; row[1] = sin(t) - arc; row[2] = t * 0.3
            for c in 3..<12 { row[c] = (u() - 0.5) * 0.1 }
            x += row
            y += [t * 4 - 6, arc * 5 + sin(t)]
        }
        return (Matrix(rows: n, columns: 12, values: x), Matrix(rows: n, columns: 2, values: y))
    }

    @Test func theNetworkLearnsTheMapAndItsONNXGivesTheSameCoordinates() throws {
        let (x, y) = Self.arcs(600, seed: 3)
        let network = try ParametricMap.fit(x, coordinates: y, normalizing: false, training: try .init(hidden: 64, epochs: 400, seed: 1))
        let first = try #require(network.losses.first), last = try #require(network.losses.last)
        #expect(last < first / 10, "loss \(first) → \(last)")
        let placed = try network.place(x)
        let error = zip(placed.values, y.values).map { Double(abs($0 - $1)) }.reduce(0, +) / Double(y.values.count)
        #expect(error < 0.25, "mean |error| \(error) on a map spanning ~12 × 6")

        // The exported graph in ONNX Runtime: the same coordinates, a batch of any size.
        let runner = try ParametricMapRunner(model: .bytes(network.onnxModel(), path: "in-memory.onnx"))
        for rows in [1, 7, 600] {
            let part = x.selectingRows(Array(0..<rows))
            let viaRuntime = try runner.place(part), own = try network.place(part)
            #expect(zip(viaRuntime.values, own.values).allSatisfy { abs($0 - $1) <= 1e-4 }, "\(rows) rows")
        }
    }

    @Test func trainingIsSeededAndTheExportIsTheSameBytes() throws {
        let (x, y) = Self.arcs(300, seed: 8)
        let training = try ParametricMap.Training(hidden: 16, epochs: 5, seed: 4)
        let a = try ParametricMap.fit(x, coordinates: y, normalizing: true, training: training)
        let b = try ParametricMap.fit(x, coordinates: y, normalizing: true, training: training)
        #expect(a == b && a.onnxModel() == b.onnxModel())
        var other = training
        other.seed = 5
        #expect(try ParametricMap.fit(x, coordinates: y, normalizing: true, training: other).weights1 != a.weights1)
    }

    @Test func theExportReadsBackAsTheGraphItDescribes() throws {
        let (x, y) = Self.arcs(100, seed: 2)
        let network = try ParametricMap.fit(x, coordinates: y, normalizing: true, training: try .init(hidden: 8, epochs: 2))
        let session = try InferenceSession(model: .bytes(network.onnxModel(), path: "in-memory.onnx"))
        let input = try #require(session.input(named: "embedding"))
        #expect(input.shape == [nil, 12] && input.symbolicNames.first == "batch")
        #expect(session.output(named: "coordinates")?.shape == [nil, 2])
        // A zero row stays finite (the norm is floored as Embeval's own normalisation floors it).
        let zero = try ParametricMapRunner(model: .bytes(network.onnxModel(), path: "in-memory.onnx"))
            .place(Matrix(rows: 1, columns: 12, values: [Float](repeating: 0, count: 12)))
        let own = try network.place(Matrix(rows: 1, columns: 12, values: [Float](repeating: 0, count: 12)))
        #expect(zero.values.allSatisfy(\.isFinite) && zip(zero.values, own.values).allSatisfy { abs($0 - $1) <= 1e-5 })
        // No rows: a (0, 2) array, as the saved-map path gives (it was (0, 0)).
        let none = try ParametricMapRunner(model: .bytes(network.onnxModel(), path: "in-memory.onnx")).place(Matrix(rows: 0, columns: 12, values: []))
        let ownNone = try network.place(Matrix(rows: 0, columns: 12, values: []))
        #expect(none.rows == 0 && none.columns == 2 && ownNone.columns == 2)
        // Rows of any finite scale are placed as Embeval places them: the graph's float32 ReduceL2 overflowed past
        // ~1.8e19, its Div then zeroed the row, and rows times 1e37 all landed where the zero row lands.
        let runner = try ParametricMapRunner(model: .bytes(network.onnxModel(), path: "in-memory.onnx"))
        for scale: Float in [1e37, 1e20, 1e-20, 1e-37] {
            let rows = x.selectingRows(Array(0..<5))
            let scaled = Matrix(rows: 5, columns: 12, values: rows.values.map { $0 * scale })
            let viaRuntime = try runner.place(scaled), own = try network.place(scaled)
            #expect(zip(viaRuntime.values, own.values).allSatisfy { abs($0 - $1) <= 1e-4 }, "×\(scale): \(viaRuntime.values) vs \(own.values)")
        }
    }

    @Test func pythonOnnxRuntimePlacesTheFixturesPointsAsEmbevalDoes() throws {
        // The fixture's model was written by `embeval explore --parametric` and run by Python's onnxruntime.
        let new = try NumpyArray.readMatrix(at: Self.fixture.appendingPathComponent("new.npy"))
        let expected = try NumpyArray.readMatrix(at: Self.fixture.appendingPathComponent("expected.npy"))
        let placed = try ParametricMapRunner(model: .file(Self.fixture.appendingPathComponent("umap-parametric.onnx").path)).place(new)
        #expect(placed.rows == 60 && placed.columns == 2)
        #expect(zip(placed.values, expected.values).allSatisfy { abs($0 - $1) <= 1e-5 })

        let out = TestPaths.scratch("parametric-add")
        let r = try runEmbeval(["explore", "--map", Self.fixture.appendingPathComponent("umap-parametric.onnx").path,
                                "--add", Self.fixture.appendingPathComponent("new.npy").path, "--out", out.path])
        #expect(r.code == 0, "\(r.err)")
        let added = try NumpyArray.readMatrix(at: out.appendingPathComponent("umap-parametric-added.npy"))
        #expect(zip(added.values, expected.values).allSatisfy { abs($0 - $1) <= 1e-5 })
    }

    @Test func exploreParametricMeasuresTheNetworkOnHeldOutPoints() throws {
        let out = TestPaths.scratch("parametric-explore"), json = out.appendingPathComponent("report.json")
        let r = try runEmbeval(["explore", "--embeddings", Self.fixture.appendingPathComponent("embeddings.npy").path, "--method", "pca,umap",
                                "--seed", "0", "--parametric", "--parametric-hidden", "32", "--parametric-epochs", "40",
                                "--out", out.appendingPathComponent("maps").path, "--json", json.path])
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains("Parametric maps"))
        let report = try ExploreReport.read(from: json)
        #expect(report.maps.first { $0.method == .pca }?.parametric == nil, "PCA is linear already: no network")
        let p = try #require(report.maps.first { $0.method == .umap }?.parametric)
        #expect(p.file == "umap-parametric.onnx" && p.heldOut == 40 && p.trainPoints == 360)
        #expect(p.onnxMaxDifference < 1e-4)
        #expect(p.trustworthinessParametric > p.trustworthinessMap - 0.05, "\(p.trustworthinessParametric) vs \(p.trustworthinessMap)")
        #expect(p.relativeDistance < 0.5 && p.relativeDistanceTransform < 0.5)
        #expect(p.millisecondsPer10kOnnx > 0 && p.millisecondsPer10kTransform > 0)
        // The same run on this machine writes the same bytes (seeded).
        let again = out.appendingPathComponent("again")
        _ = try runEmbeval(["explore", "--embeddings", Self.fixture.appendingPathComponent("embeddings.npy").path, "--method", "umap",
                            "--seed", "0", "--parametric", "--parametric-hidden", "32", "--parametric-epochs", "40", "--out", again.path])
        let first = try Data(contentsOf: out.appendingPathComponent("maps/umap-parametric.onnx"))
        #expect(first == (try Data(contentsOf: again.appendingPathComponent("umap-parametric.onnx"))))
    }

    @Test func badInputIsOneLineAndExitTwo() throws {
        let dir = TestPaths.scratch("parametric-bad")
        let narrow = dir.appendingPathComponent("narrow.npy")
        try NumpyArray.write(Matrix(rows: 2, columns: 5, values: (0..<10).map(Float.init)), to: narrow)
        let few = dir.appendingPathComponent("few.npy")
        try NumpyArray.write(Matrix(rows: 100, columns: 4, values: (0..<400).map { Float($0 % 17) }), to: few)
        // 215 points: a tenth rounds to 22, but the rule is 220 points (a tenth, rounded down, at least 22).
        let almost = dir.appendingPathComponent("almost.npy")
        let fixture = try NumpyArray.readMatrix(at: Self.fixture.appendingPathComponent("embeddings.npy"))
        try NumpyArray.write(fixture.selectingRows(Array(0..<215)), to: almost)
        let onnx = Self.fixture.appendingPathComponent("umap-parametric.onnx").path
        let backbone = TestPaths.fixture("models/vit-tiny/model.onnx").path
        let cases: [([String], String)] = [
            (["--map", onnx, "--add", narrow.path], "--add: 5-dimensional embeddings, but the map was trained on 24-dimensional ones"),
            (["--map", backbone, "--add", narrow.path], "not a parametric map"),
            (["--embeddings", few.path, "--method", "umap", "--parametric"], "needs at least 220 points, got 100"),
            (["--embeddings", almost.path, "--method", "umap", "--parametric"], "needs at least 220 points, got 215"),
            (["--embeddings", Self.fixture.appendingPathComponent("embeddings.npy").path, "--method", "umap", "--parametric", "--parametric-epochs", "0"],
             "--parametric-epochs must be 1…100000, got 0"),
        ]
        for (arguments, message) in cases {
            let r = try runEmbeval(["explore", "--out", dir.appendingPathComponent("out").path] + arguments)
            #expect(r.code == 2, "\(arguments): \(r.err)")
            #expect(r.err.contains(message), "\(arguments): \(r.err)")
            #expect(r.err.split(separator: "\n").count == 1, "\(arguments): \(r.err)")
        }
    }

    /// The network's weights, gradients and Adam moments (hidden × width each) and a batch's activations are checked
    /// against the memory before training, naming the largest --parametric-hidden that fits: 16,384 hidden units
    /// over 20,000-wide rows aborted on a 1.3 GB allocation.
    @Test func aNetworkPastMemoryIsRefusedBeforeTraining() throws {
        let x = Matrix(rows: 40, columns: 500, values: (0..<20_000).map { Float($0 % 17) })
        let y = Matrix(rows: 40, columns: 2, values: (0..<80).map { Float($0 % 5) })
        let training = try ParametricMap.Training(hidden: 1024, epochs: 1)
        // 4 bytes × (6 × 1024 × 500 + 4 × 40 × 1024) = 12,943,360 bytes.
        #expect(throws: ProjectionError.invalidParameter("--parametric-hidden 1024: the network's weights, gradients and Adam moments (1024 × 500 each) and a batch's activations would take about 13 MB, more than half of the 20 MB this process may use; use --parametric-hidden 791 or less")) {
            try ParametricMap.fit(x, coordinates: y, normalizing: true, training: training, memoryBytes: 20_000_000)
        }
        #expect(try ParametricMap.fit(x, coordinates: y, normalizing: true, training: ParametricMap.Training(hidden: 791, epochs: 1), memoryBytes: 20_000_000).hidden == 791)
    }
}
