import Foundation

/// Zero-shot accuracy of one image set against class embeddings, with each image's outcome kept.
public struct ZeroShotResult: Sendable {
    /// Top-1 / top-5 accuracy and mean per-class recall, in percent.
    public let top1Accuracy: Double
    public let top5Accuracy: Double
    public let meanPerClassRecall: Double
    /// Recall of each class in percent; nil for a class with no image.
    public let perClassRecall: [Double?]
    /// Images per class.
    public let perClassCount: [Int]
    public let predictions: [Int]
    public let top5Hits: [Bool]
    /// Per image, the cosine of its predicted class: how confidently it was assigned.
    public let predictedScores: [Float]
}

/// CLIP-style zero-shot classification: each image gets the class whose text embedding has the largest cosine
/// similarity with its image embedding — the same argmax as the model's logits (a positive scale times the cosine,
/// plus SigLIP's bias). Equal scores go to the smaller class id; a top-5 hit means the true class is among the five
/// highest-scoring classes. Mean per-class recall averages the recall of the classes that have images
/// (CLIP_benchmark's `mean_per_class_recall`).
public enum ZeroShotClassifier {
    /// Class embeddings from prompt embeddings: rows `class·templates + t`. Each row is L2-normalised, the rows of a
    /// class are averaged and the mean renormalised (CLIP's prompt ensembling).
    public static func classEmbeddings(_ prompts: Matrix, classes: Int, templates: Int) -> Matrix {
        precondition(prompts.rows == classes * templates)
        let normalized = prompts.l2NormalizedRows()
        var out = Matrix(rows: classes, columns: prompts.columns)
        for c in 0..<classes {
            for t in 0..<templates {
                for j in 0..<prompts.columns { out[c, j] += normalized[c * templates + t, j] }
            }
        }
        return out.l2NormalizedRows()
    }

    /// Scores `images` (N×d, any norm) against unit-norm `classEmbeddings` (C×d) block by block.
    public static func evaluate(images: Matrix, labels: [Int], classEmbeddings: Matrix) -> ZeroShotResult {
        precondition(images.columns == classEmbeddings.columns && images.rows == labels.count)
        let n = images.rows, c = classEmbeddings.rows, d = images.columns
        let unit = images.l2NormalizedRows()
        var predictions = [Int](repeating: 0, count: n), top5 = [Bool](repeating: false, count: n)
        var predictedScores = [Float](repeating: 0, count: n)
        let block = max(1, min(n, (1 << 22) / max(c, 1)))
        var scores = [Float](repeating: 0, count: block * c)
        unit.values.withUnsafeBufferPointer { u in
            classEmbeddings.values.withUnsafeBufferPointer { t in
                scores.withUnsafeMutableBufferPointer { s in
                    for start in stride(from: 0, to: n, by: block) {
                        let rows = min(block, n - start)
                        BLAS.multiplyTransposed(UnsafeBufferPointer(rebasing: u[(start * d)..<((start + rows) * d)]), rows: rows,
                                                t, rows: c, depth: d, into: s)
                        for i in 0..<rows {
                            let row = UnsafeBufferPointer(rebasing: s[(i * c)..<((i + 1) * c)])
                            let ranked = topIndices(row, count: min(5, c))
                            predictions[start + i] = ranked[0]
                            predictedScores[start + i] = row[ranked[0]]
                            top5[start + i] = ranked.contains(labels[start + i])
                        }
                    }
                }
            }
        }
        var correct = [Int](repeating: 0, count: c), count = [Int](repeating: 0, count: c)
        for i in 0..<n where labels[i] < c {
            count[labels[i]] += 1
            if predictions[i] == labels[i] { correct[labels[i]] += 1 }
        }
        let recall: [Double?] = (0..<c).map { count[$0] == 0 ? nil : 100 * Double(correct[$0]) / Double(count[$0]) }
        let present = recall.compactMap { $0 }
        return ZeroShotResult(
            top1Accuracy: 100 * Double(zip(predictions, labels).filter { $0 == $1 }.count) / Double(max(n, 1)),
            top5Accuracy: 100 * Double(top5.filter { $0 }.count) / Double(max(n, 1)),
            meanPerClassRecall: present.isEmpty ? 0 : present.reduce(0, +) / Double(present.count),
            perClassRecall: recall, perClassCount: count, predictions: predictions, top5Hits: top5,
            predictedScores: predictedScores)
    }

    /// Indices of the `count` largest scores, largest first; equal scores by the smaller index.
    static func topIndices(_ scores: UnsafeBufferPointer<Float>, count: Int) -> [Int] {
        var best = [Int]()
        best.reserveCapacity(count + 1)
        for j in scores.indices {
            let s = scores[j]
            if best.count == count, let last = best.last, !(s > scores[last]) { continue }
            var position = best.count
            while position > 0 && s > scores[best[position - 1]] { position -= 1 }
            best.insert(j, at: position)
            if best.count > count { best.removeLast() }
        }
        return best
    }
}
