import Foundation

/// `explore --parametric`: a network trained to reproduce each t-SNE/UMAP map, exported as ONNX, and how faithful
/// it is on points it did not see; `explore --map X.onnx --add new.npy` runs such a network through ONNX Runtime.
extension Exploration {
    /// The share of points held out of the network's training to measure it (at most `heldOutLimit`).
    static let heldOutShare = 0.1
    static let heldOutLimit = 10_000

    /// Trains the network on `coordinates` of all but a seeded held-out tenth of `embeddings`, writes it as
    /// `<method>-parametric.onnx` into `directory`, and measures it on the held-out points: its trustworthiness there
    /// beside the map's own (the same points, as the fitted map placed them), its distance to that placement and to
    /// the map's non-parametric transform of the points, relative to the map's spread, ONNX Runtime's output against Swift's, and the time per 10,000 points of the
    /// network (Swift and ONNX Runtime) and of the map's non-parametric transform.
    static func parametric(_ method: MapMethod, embeddings: Matrix, input: Matrix, coordinates: Matrix, saved: SavedMap,
                           normalizing: Bool, training: ParametricMap.Training, into directory: URL) throws -> ExploreReport.Parametric {
        let n = embeddings.rows
        let heldCount = min(Self.heldOutLimit, Int(Double(n) * Self.heldOutShare))   // rounded down: 220 points hold out 22
        guard heldCount >= 22, n - heldCount >= 2 else {
            throw ProjectionError.tooFewPoints(method: "--parametric (a tenth held out, at least 22 points, to measure it)", needed: 220, got: n, remedy: nil)
        }
        var generator = SeededGenerator(seed: training.seed ^ 0x5041_5241)
        let permutation = generator.permutation(n)
        let held = permutation.prefix(heldCount).sorted(), kept = permutation.dropFirst(heldCount).sorted()

        let started = Date()
        let network = try ParametricMap.fit(embeddings.selectingRows(kept), coordinates: coordinates.selectingRows(kept),
                                            normalizing: normalizing, training: training)
        let trainSeconds = Date().timeIntervalSince(started)
        let model = network.onnxModel()
        let name = "\(method.rawValue)-parametric.onnx"
        try OutputFile(directory.appendingPathComponent(name).path).write(Data(model))

        let newPoints = embeddings.selectingRows(held)
        let (placed, swiftSeconds) = try timed { try network.place(newPoints) }
        let runner = try ParametricMapRunner(model: .bytes(model, path: directory.appendingPathComponent(name).path))
        let (viaRuntime, runtimeSeconds) = try timed { try runner.place(newPoints) }
        let (transformed, transformSeconds) = try timed { try saved.add(newPoints) }
        let ownPlacement = coordinates.selectingRows(held)
        let heldInput = input.selectingRows(held)
        let perTenThousand = { (seconds: Double) in seconds * 1000 * 10_000 / Double(heldCount) }
        return ExploreReport.Parametric(
            file: name, hidden: training.hidden, epochs: training.epochs, trainPoints: kept.count, heldOut: heldCount,
            trainSeconds: trainSeconds, finalLoss: network.losses.last ?? .nan,
            trustworthinessParametric: Trustworthiness.score(original: heldInput, map: placed, k: 10),
            trustworthinessMap: Trustworthiness.score(original: heldInput, map: ownPlacement, k: 10),
            relativeDistance: relativeDistance(placed, ownPlacement, spreadOf: coordinates),
            relativeDistanceTransform: relativeDistance(placed, transformed, spreadOf: coordinates),
            onnxMaxDifference: zip(placed.values, viaRuntime.values).map { Double(abs($0 - $1)) }.max() ?? 0,
            millisecondsPer10kSwift: perTenThousand(swiftSeconds), millisecondsPer10kOnnx: perTenThousand(runtimeSeconds),
            millisecondsPer10kTransform: perTenThousand(transformSeconds))
    }

    /// Mean Euclidean distance between two placements of the same points, over the map's RMS distance from its centre.
    static func relativeDistance(_ a: Matrix, _ b: Matrix, spreadOf map: Matrix) -> Double {
        let d = map.columns
        var centre = [Double](repeating: 0, count: d)
        for i in 0..<map.rows { for c in 0..<d { centre[c] += Double(map[i, c]) / Double(map.rows) } }
        var spread = 0.0
        for i in 0..<map.rows { for c in 0..<d { let t = Double(map[i, c]) - centre[c]; spread += t * t } }
        let radius = (spread / Double(max(map.rows, 1))).squareRoot()
        var total = 0.0
        for i in 0..<a.rows {
            var s = 0.0
            for c in 0..<d { let t = Double(a[i, c]) - Double(b[i, c]); s += t * t }
            total += s.squareRoot()
        }
        return radius > 0 ? total / Double(max(a.rows, 1)) / radius : 0
    }

    static func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let start = Date()
        let result = try body()
        return (result, Date().timeIntervalSince(start))
    }

    /// Places new embeddings (`.npy`) with a parametric map's ONNX model (`explore --parametric`), through ONNX
    /// Runtime; writes `<name>-added.npy` (the model file's name) into `directory`.
    public static func addPoints(parametricModel url: URL, new: URL, into directory: URL) throws -> (file: URL, rows: Int) {
        try createDirectory(directory)
        let runner = try ParametricMapRunner(model: .file(url.path))
        let placed = try runner.place(try NumpyArray.readMatrix(at: new))
        let file = directory.appendingPathComponent(url.deletingPathExtension().lastPathComponent + "-added.npy")
        try NumpyArray.write(placed, to: file)
        return (file, placed.rows)
    }
}

/// A parametric map's ONNX model in ONNX Runtime: `embedding` [batch, d] in, `coordinates` [batch, dims] out.
struct ParametricMapRunner {
    let session: InferenceSession
    let width: Int

    init(model: InferenceSession.Source) throws {
        session = try InferenceSession(model: model)
        guard let input = session.input(named: ParametricMap.inputName), input.shape.count == 2, let width = input.shape[1],
              session.output(named: ParametricMap.outputName) != nil else {
            throw ProjectionError.incompatibleInput("not a parametric map (explore --parametric writes one): expected input '\(ParametricMap.inputName)' [batch, d] and output '\(ParametricMap.outputName)'; inputs: \(session.inputs.map(\.description).joined(separator: ", "))")
        }
        self.width = width
    }

    /// Coordinates of `x`'s rows, a block of 4,096 rows per run.
    func place(_ x: Matrix) throws -> Matrix {
        guard x.columns == width else {
            throw ProjectionError.incompatibleInput("--add: \(x.columns)-dimensional embeddings, but the map was trained on \(width)-dimensional ones")
        }
        if let bad = x.values.firstIndex(where: { !$0.isFinite }) { throw ProjectionError.nonFinite(input: "--add points", row: bad / max(width, 1)) }
        // No rows to run: the declared width, so that an empty --add writes the (0, dims) array the .map path writes.
        var values = [Float](), columns = session.output(named: ParametricMap.outputName)?.shape.last.flatMap { $0 } ?? 0
        for start in stride(from: 0, to: x.rows, by: 4096) {
            let rows = start..<min(start + 4096, x.rows)
            let block = Tensor(shape: [rows.count, width], values: Array(x.values[(rows.lowerBound * width)..<(rows.upperBound * width)]))
            guard let out = try session.run([ParametricMap.inputName: .float32(block)], outputNames: [ParametricMap.outputName])[ParametricMap.outputName],
                  out.shape.count == 2, out.shape[0] == rows.count else {
                throw ProjectionError.incompatibleInput("the parametric map's model gave no [\(rows.count), dims] '\(ParametricMap.outputName)'")
            }
            columns = out.shape[1]
            values += out.values
        }
        return Matrix(rows: x.rows, columns: columns, values: values)
    }
}
