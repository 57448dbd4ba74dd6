import Foundation

/// Retrieval figures from ranked neighbour lists, per query, so that comparisons can pair them.
///
/// Image → image on a labelled set (each query against all the others, itself excluded): a query is a hit at k when
/// one of its k nearest has its class (recall@k); its average precision at R — R the number of other samples of its
/// class — is (1/R)·Σᵢ₌₁…R P(i)·rel(i), the metric-learning standard mAP@R. Queries whose class has no other sample
/// have no relevant item and are left out of both.
public struct ImageRetrievalScores: Sendable {
    public var ks: [Int]
    /// Per k (in `ks` order), per kept query: whether a same-class sample is among its k nearest.
    public var hits: [[Bool]]
    /// Per kept query: its average precision at R.
    public var averagePrecisionAtR: [Double]
    /// The queries kept (those with at least one other sample of their class).
    public var queries: [Int]

    public var recall: [Double] { hits.map { 100 * Double($0.filter { $0 }.count) / Double(max($0.count, 1)) } }
    public var meanAveragePrecisionAtR: Double {
        100 * averagePrecisionAtR.reduce(0, +) / Double(max(averagePrecisionAtR.count, 1))
    }

    /// Searches `embeddings` (L2-normalised here) against themselves a block of queries at a time, each block's top
    /// max(k, R) kept only while it is scored, so memory is bounded by the block, never N × N.
    ///
    /// A block's lists are held at once, `KNNClassifier.bytesPerNeighbour` a neighbour: a block is cut to what fits in
    /// half of `memoryBytes` (a class of 450,000 images searched 1,024 queries to depth 449,999 and aborted on a
    /// 1.8 GB allocation), and a depth that not even one query's list fits in is refused.
    public init(_ embeddings: Embeddings, ks: [Int], queryBlock: Int = 1024, memoryBytes: Int = ProcessMemory.limit) throws {
        let n = embeddings.count
        guard n >= 2 else { throw MetricError.tooFewSamples(metric: "image retrieval", needed: 2, got: n) }
        guard !ks.isEmpty, ks.allSatisfy({ $0 >= 1 }) else {
            throw MetricError.invalidParameter(name: "--recall-k", value: "\(ks)", expected: "positive integers")
        }
        let labels = embeddings.labels
        var classSize = [Int: Int]()
        for l in labels { classSize[l, default: 0] += 1 }
        guard classSize.values.contains(where: { $0 >= 2 }) else {
            throw MetricError.degenerateLabels("image retrieval: every one of the \(n) images is alone in its class, so no query has a relevant item to find")
        }
        let unit = embeddings.rows.l2NormalizedRows()
        self.ks = ks
        hits = ks.map { _ in [] }
        averagePrecisionAtR = []
        queries = []
        let deepest = min(n - 1, max(ks.max() ?? 1, (classSize.values.max() ?? 1) - 1, 1))
        let fitting = (memoryBytes / 2) / ((deepest + 1) * KNNClassifier.bytesPerNeighbour)
        guard fitting >= 1 else {
            throw MetricError.pastMemory(what: "image retrieval searches each query to depth \(deepest) (the larger of --recall-k and its class's other images, for mAP@R): one query's list",
                                         needed: (deepest + 1) * KNNClassifier.bytesPerNeighbour, available: memoryBytes / 2,
                                         remedy: "use a smaller --recall-k, or fewer images of the largest class")
        }
        let blockSize = max(1, min(queryBlock, fitting))
        for start in stride(from: 0, to: n, by: blockSize) {
            let block = Array(start..<min(start + blockSize, n))
            let relevantCounts = block.map { (classSize[labels[$0]] ?? 1) - 1 }
            let depth = min(n - 1, max(ks.max() ?? 1, relevantCounts.max() ?? 0, 1))
            // One more than needed, then the query itself taken out (or, if ties pushed it out, the last one).
            let searched = depth + 1
            let found = NearestNeighbors(queries: unit.selectingRows(block), references: unit, k: searched, excludingSelf: false)
            for (q, query) in block.enumerated() {
                let relevant = relevantCounts[q]
                guard relevant > 0 else { continue }
                var ranked = found.indices[(q * searched)..<((q + 1) * searched)].map { Int($0) }
                if let own = ranked.firstIndex(of: query) { ranked.remove(at: own) } else { ranked.removeLast() }
                let same = ranked.map { labels[$0] == labels[query] }
                for (slot, k) in ks.enumerated() { hits[slot].append(same.prefix(k).contains(true)) }
                var correct = 0, sum = 0.0
                for (i, isRelevant) in same.prefix(relevant).enumerated() where isRelevant {
                    correct += 1
                    sum += Double(correct) / Double(i + 1)
                }
                averagePrecisionAtR.append(sum / Double(relevant))
                queries.append(query)
            }
        }
    }
}

/// Image ↔ text retrieval as CLIP_benchmark defines it, for a two-tower model: every caption is embedded and keeps
/// its image. Text → image recall@k: the share of captions whose image is among the k images most similar to it;
/// image → text recall@k: the share of images with any of their captions among the k captions most similar to them.
public struct CrossModalRetrievalScores: Sendable {
    public var ks: [Int]
    /// Per k, per caption.
    public var textToImage: [[Bool]]
    /// Per k, per image.
    public var imageToText: [[Bool]]

    public var textToImageRecall: [Double] { textToImage.map { 100 * Double($0.filter { $0 }.count) / Double(max($0.count, 1)) } }
    public var imageToTextRecall: [Double] { imageToText.map { 100 * Double($0.filter { $0 }.count) / Double(max($0.count, 1)) } }

    /// `captionImage[t]` is the image (row of `images`) caption `t` (row of `captions`) belongs to.
    public init(images: Matrix, captions: Matrix, captionImage: [Int], ks: [Int], memoryBytes: Int = ProcessMemory.limit) throws {
        guard images.columns == captions.columns else {
            throw MetricError.incompatibleSets("image embeddings are \(images.columns)-dimensional but caption embeddings \(captions.columns)-dimensional")
        }
        guard captions.rows == captionImage.count, captions.rows >= 1, images.rows >= 1,
              captionImage.allSatisfy({ (0..<images.rows).contains($0) }) else {
            throw MetricError.incompatibleSets("captions do not each belong to one of the \(images.rows) images")
        }
        guard !ks.isEmpty, ks.allSatisfy({ $0 >= 1 }) else {
            throw MetricError.invalidParameter(name: "--recall-k", value: "\(ks)", expected: "positive integers")
        }
        var captioned = [Bool](repeating: false, count: images.rows)
        for image in captionImage { captioned[image] = true }
        if let bare = captioned.firstIndex(of: false) {
            throw MetricError.incompatibleSets("image \(bare) has no caption: image → text recall needs every image's captions")
        }
        self.ks = ks
        let imageUnit = images.l2NormalizedRows(), captionUnit = captions.l2NormalizedRows()
        let imageDepth = min(images.rows, ks.max() ?? 1), textDepth = min(captions.rows, ks.max() ?? 1)
        // Both directions' lists are held at once, each query (caption or image) with up to the larger depth.
        try MetricError.checkNeighbourLists(option: "--recall-k", points: captions.rows + images.rows, neighbours: max(imageDepth, textDepth),
                                            bytesPerNeighbour: KNNClassifier.bytesPerNeighbour, memoryBytes: memoryBytes)
        let toImages = NearestNeighbors(queries: captionUnit, references: imageUnit, k: imageDepth, excludingSelf: false)
        let toTexts = NearestNeighbors(queries: imageUnit, references: captionUnit, k: textDepth, excludingSelf: false)
        textToImage = ks.map { k in
            (0..<captions.rows).map { t in
                toImages.indices[(t * imageDepth)..<(t * imageDepth + min(k, imageDepth))].contains(Int32(captionImage[t]))
            }
        }
        imageToText = ks.map { k in
            (0..<images.rows).map { i in
                toTexts.indices[(i * textDepth)..<(i * textDepth + min(k, textDepth))].contains { captionImage[Int($0)] == i }
            }
        }
    }
}
