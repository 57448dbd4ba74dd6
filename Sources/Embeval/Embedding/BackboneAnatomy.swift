import Foundation

/// Where a ViT export keeps what seed 002 asks about: its transformer blocks' outputs (the residual stream) and the
/// final LayerNorm, found from the graph's structure rather than its node names.
///
/// A pre-norm block reads its input `x` twice — through a LayerNorm into attention, and as the residual of
/// `x + attn(norm(x))` — and again for the MLP half. So the residual stream is the chain of tensors that each feed a
/// LayerNorm (a `LayerNormalization` node, or the ReduceMean/Sub/…/Add pattern of exports below opset 17) and an
/// `Add` whose other operand is computed from them. The longest such chain holds 2·blocks + 1 tensors: every second
/// one is a block's output (HF's `hidden_states`). Dynamo exports (`node_add_4`) and timm exports read the same.
public struct BackboneAnatomy: Sendable {
    /// The residual stream at block boundaries: [0] feeds block 0 (HF `hidden_states[0]`), [i] is block i−1's output.
    public let hiddenStates: [String]
    /// The model's own final LayerNorm: the one reading the last block's output (directly or after taking a token).
    public let finalNorm: LayerNorm?
    /// Why `finalNorm` is nil when blocks were found (its weights unreadable, no norm after the blocks).
    public let finalNormProblem: String?
    /// Width of the residual stream, from a LayerNorm's weights.
    public let hiddenSize: Int?
    /// The patch embedding's kernel (height, width): the first `Conv` reading the image.
    public let patchSize: (height: Int, width: Int)?
    /// Operators whose results depend on the whole batch (dynamic quantisation's per-tensor activation scales).
    public let batchDependentOperators: [String]

    /// Transformer blocks found (0: none, so only the model's declared outputs can be pooled).
    public var blocks: Int { max(hiddenStates.count - 1, 0) }
    /// Whether the residual searches ran out of their shared budget (`searchBudget`): no blocks are then reported.
    let searchCutShort: Bool

    /// `imageInput`: the image tensor's name; only blocks computed from it count (nil: the graph's one 4-D input).
    public init(graph: OnnxGraph, imageInput: String? = nil) {
        let imageInput = imageInput ?? {
            let images = graph.inputs.filter { $0.shape?.count == 4 && graph.initializers[$0.name] == nil }
            return images.count == 1 ? images[0].name : nil
        }()
        let producers = Dictionary(graph.nodes.enumerated().flatMap { i, node in node.outputs.map { ($0, i) } },
                                   uniquingKeysWith: { first, _ in first })
        var consumers = [String: [Int]]()
        for (i, node) in graph.nodes.enumerated() { for input in Set(node.inputs) { consumers[input, default: []].append(i) } }
        // Bounded work on any graph: a real ViT has 2·blocks + 1 norms (ViT-g: 81); a file with thousands is no ViT.
        let norms = Array(Self.norms(in: graph, producers: producers, consumers: consumers).prefix(Self.maximumNorms))

        // Each stream tensor's residual successor: an Add of it and something computed from it. In a combined
        // two-tower graph only the streams computed from the image input belong to the image tower.
        var streams = Set(norms.map(\.input))
        if let imageInput {
            var reached: Set = [imageInput], frontier = [imageInput]
            while let t = frontier.popLast() {
                for i in consumers[t] ?? [] { for out in graph.nodes[i].outputs where reached.insert(out).inserted { frontier.append(out) } }
            }
            streams.formIntersection(reached)
        }
        var next = [String: String](), budget = Self.searchBudget
        for stream in streams.sorted() {
            for i in consumers[stream] ?? [] where graph.nodes[i].opType == "Add" && graph.nodes[i].inputs.count == 2 {
                let node = graph.nodes[i]
                let other = node.inputs[0] == stream ? node.inputs[1] : node.inputs[0]
                guard other != stream, let output = node.outputs.first,
                      Self.depends(other, on: stream, graph: graph, producers: producers, budget: &budget) else { continue }
                if next[stream] == nil || streams.contains(output) { next[stream] = output }
            }
        }
        // A search cut short by the budget could leave a chain short of blocks: no blocks rather than wrong ones.
        searchCutShort = budget <= 0
        if searchCutShort { next = [:] }
        let successors = Set(next.values)
        var longest = [String]()
        for start in streams.sorted() where !successors.contains(start) {
            var chain = [start], seen: Set = [start]
            while let following = next[chain[chain.count - 1]], seen.insert(following).inserted { chain.append(following) }
            if chain.count > longest.count { longest = chain }
        }
        hiddenStates = longest.count >= 3 ? stride(from: 0, to: longest.count, by: 2).map { longest[$0] } : []

        var finalNorm: LayerNorm?, problem: String?
        if let last = hiddenStates.last {
            if let unit = Self.normReading(last, norms: norms, graph: graph, consumers: consumers) {
                finalNorm = unit.parameters(in: graph)
                if finalNorm == nil { problem = "its weights could not be read" }
            } else {
                problem = "no LayerNorm reads the last block's output"
            }
        }
        self.finalNorm = finalNorm
        self.finalNormProblem = problem
        hiddenSize = finalNorm?.scale.count ?? norms.lazy.compactMap { $0.scale.flatMap { graph.initializers[$0]?.dims.last } }.first
        // The patch embedding: the first convolution (quantised exports: ConvInteger), its kernel from the attribute
        // or else from the weight's [out, in, kh, kw] shape.
        let convolutions: Set = ["Conv", "ConvInteger", "QLinearConv"]
        let conv = graph.nodes.first { convolutions.contains($0.opType) && (imageInput == nil || $0.inputs.first == imageInput) }
            ?? graph.nodes.first { convolutions.contains($0.opType) }
        let weight = conv.flatMap { node -> OnnxGraph.Initializer? in
            let index = node.opType == "QLinearConv" ? 3 : 1
            return node.inputs.indices.contains(index) ? graph.initializers[node.inputs[index]] : nil
        }
        let kernel = conv?.ints["kernel_shape"] ?? weight.map { Array($0.dims.dropFirst(2)) }
        if let kernel, kernel.count == 2, kernel.allSatisfy({ $0 > 0 }) {
            patchSize = (kernel[0], kernel[1])
        } else {
            patchSize = nil
        }
        let dynamic: Set = ["DynamicQuantizeLinear", "DynamicQuantizeMatMul", "DynamicQuantizeLSTM"]
        batchDependentOperators = Array(Set(graph.nodes.map(\.opType)).intersection(dynamic)).sorted()
    }

    /// The stream tensor of block `layer` (0-based; negative counts from the last block, as timm's indices).
    public func tensor(forLayer layer: Int) throws(EmbeddingError) -> String {
        guard blocks > 0 else { throw EmbeddingError.incompatibleModel("no transformer blocks found in the model's graph, so --layers cannot be used") }
        let index = layer < 0 ? blocks + layer : layer
        guard index >= 0, index < blocks else {
            throw EmbeddingError.invalidArgument("layer \(layer) is out of range: the model has \(blocks) blocks (valid: 0…\(blocks - 1) or -1…-\(blocks))")
        }
        return hiddenStates[index + 1]
    }

    // MARK: - LayerNorm units

    /// One LayerNorm in the graph: the tensor it normalises and where its parameters are.
    struct NormUnit {
        var input: String
        var scale: String?
        var bias: String?
        var epsilon: Float?
        /// A constant epsilon input of the decomposed form (read only when the parameters are asked for).
        var epsilonInput: String?

        func parameters(in graph: OnnxGraph) -> LayerNorm? {
            guard let scale, let weights = graph.constantValues(scale), !weights.isEmpty else { return nil }
            let shift = bias.flatMap { graph.constantValues($0) } ?? [Float](repeating: 0, count: weights.count)
            guard shift.count == weights.count,
                  let epsilon = epsilon ?? epsilonInput.flatMap({ graph.constantValues($0)?.first }) else { return nil }
            return LayerNorm(scale: weights, bias: shift, epsilon: epsilon)
        }
    }

    static let maximumNorms = 4096

    static func norms(in graph: OnnxGraph, producers: [String: Int], consumers: [String: [Int]]) -> [NormUnit] {
        let producer = { (tensor: String, op: String) -> OnnxGraph.Node? in
            producers[tensor].map { graph.nodes[$0] }.flatMap { $0.opType == op ? $0 : nil }
        }
        let consumer = { (tensor: String, op: String) -> [OnnxGraph.Node] in
            (consumers[tensor] ?? []).map { graph.nodes[$0] }.filter { $0.opType == op }
        }
        var units = [NormUnit]()
        for node in graph.nodes {
            switch node.opType {
            case "LayerNormalization":
                guard let input = node.inputs.first, node.inputs.count >= 2, (node.ints["axis"] ?? [-1]) == [-1] else { continue }
                units.append(NormUnit(input: input, scale: node.inputs[1],
                                      bias: node.inputs.count > 2 && !node.inputs[2].isEmpty ? node.inputs[2] : nil,
                                      epsilon: node.floats["epsilon"] ?? 1e-5))
            case "ReduceMean":
                // x − mean(x) → ÷ sqrt(mean((x − mean)²) + ε) → × γ → + β
                guard let input = node.inputs.first, let mean = node.outputs.first,
                      let centred = consumer(input, "Sub").first(where: { $0.inputs == [input, mean] })?.outputs.first else { continue }
                var unit = NormUnit(input: input)
                if let division = consumer(centred, "Div").first(where: { $0.inputs.first == centred }), division.inputs.count == 2 {
                    if let sqrt = producer(division.inputs[1], "Sqrt"), let variance = sqrt.inputs.first,
                       let add = producer(variance, "Add") {
                        unit.epsilonInput = add.inputs.first { graph.constantScalar($0) != nil }
                    }
                    if let normalised = division.outputs.first, let scaled = consumer(normalised, "Mul").first {
                        unit.scale = scaled.inputs.first { $0 != normalised }
                        if let out = scaled.outputs.first, let shifted = consumer(out, "Add").first {
                            unit.bias = shifted.inputs.first { $0 != out }
                        }
                    }
                }
                units.append(unit)
            default: continue
            }
        }
        return units
    }

    /// The norm reading `tensor` directly or after shape-only steps (CLIP's post-LayerNorm reads the class token).
    private static func normReading(_ tensor: String, norms: [NormUnit], graph: OnnxGraph, consumers: [String: [Int]]) -> NormUnit? {
        let passThrough: Set = ["Gather", "Slice", "Squeeze", "Reshape", "Identity", "Flatten"]
        var frontier = [tensor], seen: Set = [tensor]
        for _ in 0..<4 {
            if let unit = norms.first(where: { frontier.contains($0.input) }) { return unit }
            frontier = frontier.flatMap { t in
                (consumers[t] ?? []).map { graph.nodes[$0] }.filter { passThrough.contains($0.opType) && $0.inputs.first == t }
                    .compactMap(\.outputs.first)
            }.filter { seen.insert($0).inserted }
        }
        return nil
    }

    /// The tensors all residual searches of one graph may look at together: a ViT-g's 81 streams look at a few
    /// hundred each; a file that needs more is no ViT (4,096 streams over a 10,000-node chain took minutes).
    static let searchBudget = 1_000_000

    /// Whether `tensor` is computed (transitively) from `source`, looking back at most 10,000 tensors (a block's
    /// residual branch reaches its input within a few hundred) and within what is left of `budget`.
    private static func depends(_ tensor: String, on source: String, graph: OnnxGraph, producers: [String: Int],
                                budget: inout Int) -> Bool {
        var stack = [tensor], seen: Set = [tensor]
        while let t = stack.popLast(), budget > 0 {
            budget -= 1
            if t == source { return true }
            guard seen.count < 10_000, let p = producers[t] else { continue }
            for input in graph.nodes[p].inputs where !input.isEmpty && seen.insert(input).inserted { stack.append(input) }
        }
        return false
    }
}

/// A LayerNorm over the last axis with its weights, as read from a graph: `(x − mean) / sqrt(var + ε) · γ + β`.
public struct LayerNorm: Sendable, Equatable {
    public var scale: [Float]
    public var bias: [Float]
    public var epsilon: Float

    /// Normalises each `scale.count`-wide row of `values` in place (double accumulation, as exactly as float allows).
    public func apply(to values: inout [Float]) {
        let width = scale.count
        guard width > 0 else { return }
        for start in stride(from: 0, to: values.count - width + 1, by: width) {
            var sum = 0.0
            for c in 0..<width { sum += Double(values[start + c]) }
            let mean = sum / Double(width)
            var squares = 0.0
            for c in 0..<width { let d = Double(values[start + c]) - mean; squares += d * d }
            let inverse = 1 / (squares / Double(width) + Double(epsilon)).squareRoot()
            for c in 0..<width {
                values[start + c] = Float((Double(values[start + c]) - mean) * inverse) * scale[c] + bias[c]
            }
        }
    }
}
