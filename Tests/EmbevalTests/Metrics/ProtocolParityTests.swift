import Foundation
import Testing
@testable import Embeval

/// The linear probe, few-shot, k-means, clustering scores and retrieval against scikit-learn and numpy on embeddings
/// of the demo models (tools/fixtures/protocols.py).
struct ProtocolParityTests {
    struct Expected: Decodable {
        struct GridRow: Decodable { let C: Double; let top1_accuracy: Double; let top5_accuracy: Double; let mean_per_class_recall: Double }
        struct Point: Decodable { let C: Double; let top1_accuracy: Double }
        struct Sweep: Decodable {
            let held_out: [Int]; let curve: [Point]; let C: Double
            let top1_accuracy: Double; let top5_accuracy: Double; let mean_per_class_recall: Double
        }
        struct Spread: Decodable { let top1_accuracy: Double; let top5_accuracy: Double; let mean_per_class_recall: Double }
        struct FewShot: Decodable {
            let shots: Int; let tries: Int; let draws: [[Int]]
            let top1_accuracy: Double; let top5_accuracy: Double; let mean_per_class_recall: Double; let std: Spread
        }
        struct Linear: Decodable { let grid: [GridRow]; let grid_float32: [GridRow]; let sweep: Sweep; let few_shot: [FewShot] }
        struct MetricCase: Decodable {
            let name: String; let classes: [Int]; let clusters: [Int]
            let nmi: Double; let ari: Double; let homogeneity: Double; let completeness: Double; let v_measure: Double
        }
        struct FromInit: Decodable { let inertia: Double; let iterations: Int }
        struct KMeansCases: Decodable { let from_init: FromInit; let seeded_nmi: [Double]; let minibatch_nmi: [Double]; let metrics: [MetricCase] }
        struct ImageRetrieval: Decodable { let recall_at_k: [String: Double]; let map_at_r: Double; let average_precision: [Double] }
        struct TextRetrieval: Decodable { let owner: [Int]; let recall_at_k: [String: [String: Double]] }
        struct KNNSpread: Decodable { let top1_accuracy: Double; let top5_accuracy: Double }
        struct KNNFewShot: Decodable { let shots: Int; let tries: Int; let k: Int; let top1_accuracy: Double; let top5_accuracy: Double; let std: KNNSpread }
        let linear: Linear
        let knn_few_shot: [KNNFewShot]
        let kmeans: KMeansCases
        let retrieval_image: ImageRetrieval
        let retrieval_text: TextRetrieval
    }

    static let expected = try! JSONDecoder().decode(Expected.self, from: Data(contentsOf: TestPaths.fixture("protocols/expected.json")))
    static let train = try! Embeddings.load(embeddings: TestPaths.fixture("protocols/train_embeddings.npy"),
                                            labels: TestPaths.fixture("protocols/train_labels.npy"))
    static let test = try! Embeddings.load(embeddings: TestPaths.fixture("protocols/test_embeddings.npy"),
                                           labels: TestPaths.fixture("protocols/test_labels.npy"))
    static let trainFeatures = FeatureMatrix(train.matrix.l2NormalizedRows())
    static let testFeatures = FeatureMatrix(test.matrix.l2NormalizedRows())

    // MARK: Linear probe

    /// Every C of DINOv2's grid: the same test predictions as LogisticRegression(C, max_iter=1000, tol=1e-12).
    @Test(arguments: 0..<45)
    func logisticRegressionPredictsAsScikitLearn(index: Int) throws {
        let reference = Self.expected.linear.grid[index]
        let predicted = try NumpyArray.readTensor(at: TestPaths.fixture("protocols/linear_predictions.npy"))
        let sklearn = (0..<Self.test.count).map { Int(predicted.values[index * Self.test.count + $0]) }
        let result = try LinearProbe(grid: [reference.C]).run(train: Self.trainFeatures, trainLabels: Self.train.labels,
                                                               test: Self.testFeatures, testLabels: Self.test.labels, classes: 10)
        #expect(abs(result.C - reference.C) <= 1e-12 * reference.C)
        let same = zip(result.scores.predictions, sklearn).filter { $0 == $1 }.count
        #expect(Double(same) >= 0.999 * Double(sklearn.count), "C=\(reference.C): \(sklearn.count - same) predictions differ")
        #expect(abs(result.scores.top1Accuracy - reference.top1_accuracy) <= 0.05, "C=\(reference.C) top-1")
        #expect(abs(result.scores.top5Accuracy - reference.top5_accuracy) <= 0.05, "C=\(reference.C) top-5")
        #expect(abs(result.scores.meanPerClassRecall - reference.mean_per_class_recall) <= 0.05, "C=\(reference.C) recall")
    }

    /// Features of magnitude 1e9 (`--no-normalize` on unscaled features: 4×4 pixels of Fashion-MNIST times 1e9): the
    /// first line search found no lower loss than the zero start, and that start — one class for every sample — was
    /// reported as a converged fit (top-1 15 %, where scikit-learn reaches 64 %). A fit that never leaves its start is
    /// refused, naming the scale; the same pixels unscaled fit.
    @Test(arguments: [LogisticRegression.Precision.float64, .float32])
    func aFitThatCannotLeaveItsStartIsRefused(precision: LogisticRegression.Precision) throws {
        func pixels(_ split: String, _ count: Int, scale: Float) throws -> (FeatureMatrix, [Int]) {
            var dataset = try DatasetSpec.load("fashion-mnist", split: split)
            dataset.samples = Array(dataset.samples.prefix(count))
            let e = try #require(EmbeddingExtractor().extract(dataset, with: PixelModel(size: (4, 4))).embeddings[.output("pixels")])
            return (FeatureMatrix(Matrix(rows: e.matrix.rows, columns: e.matrix.columns, values: e.matrix.values.map { $0 * scale })), e.labels)
        }
        let (train, trainLabels) = try pixels("train", 300, scale: 1e9), (test, testLabels) = try pixels("test", 200, scale: 1e9)
        let probe = try LinearProbe(grid: [1], precision: precision)
        #expect {
            try probe.run(train: train, trainLabels: trainLabels, test: test, testLabels: testLabels, classes: 10)
        } throws: { error in
            "\(error)".contains("could not take a first step") && "\(error)".contains("magnitude up to 9.52941e+08")
        }
        // Features times 3e-13 with classes exactly balanced: the gradient at the zero start is already below the
        // tolerance, and that start was reported as a fit converged after 0 iterations (33.33 %, every sample class 0).
        let balanced = (0..<30).map { $0 % 3 }
        let tiny = FeatureMatrix(Matrix(rows: 30, columns: 3, values: (0..<90).map { i in i % 3 == (i / 3) % 3 ? 3e-13 : 0 }))
        #expect {
            try probe.run(train: tiny, trainLabels: balanced, test: tiny, testLabels: balanced, classes: 3)
        } throws: { error in
            "\(error)".contains("stopped at its zero start") && "\(error)".contains("magnitude up to 3e-13")
        }
        let (plain, plainLabels) = try pixels("train", 300, scale: 1), (plainTest, plainTestLabels) = try pixels("test", 200, scale: 1)
        let fitted = try probe.run(train: plain, trainLabels: plainLabels, test: plainTest, testLabels: plainTestLabels, classes: 10)
        #expect(fitted.scores.top1Accuracy > 50, "\(fitted.scores.top1Accuracy)")
    }

    /// A fit whose working memory (samples × classes twice, in the objective's precision) cannot fit is refused
    /// before it starts: 32,000 train samples of as many classes aborted on a failed 8 GB allocation.
    @Test func aFitPastMemoryIsRefused() throws {
        let labels = (0..<2000).map { $0 % 1000 }
        let x = FeatureMatrix(Matrix(rows: 2000, columns: 4, values: (0..<8000).map { Float($0 % 7) }))
        var probe = try LinearProbe(grid: [1])
        probe.memoryBytes = 20_000_000
        #expect(throws: MetricError.pastMemory(what: "the linear probe on 2000 train samples of 1000 classes and 4 features (float64)", needed: 33_104_000,
                                               available: 20_000_000, remedy: "use --precision float32, or fewer train samples or classes")) {
            try probe.run(train: x, trainLabels: labels, test: x.selecting(Array(0..<10)), testLabels: Array(labels.prefix(10)), classes: 1000)
        }
        probe.precision = .float32
        probe.maxIterations = 1
        #expect(throws: Never.self) {
            try probe.run(train: x, trainLabels: labels, test: x.selecting(Array(0..<10)), testLabels: Array(labels.prefix(10)), classes: 1000)
        }
    }

    /// Every C of the grid in float32 (`--precision float32`) against scikit-learn fitted on the float32 rows, which
    /// it then fits in float32: rounding noise in the objective ends both fits short of tol=1e-12 at slightly
    /// different points, so a few predictions near a class boundary may differ.
    @Test(arguments: 0..<45)
    func float32LogisticRegressionPredictsAsScikitLearnOnFloat32Rows(index: Int) throws {
        let reference = Self.expected.linear.grid_float32[index]
        let predicted = try NumpyArray.readTensor(at: TestPaths.fixture("protocols/linear_predictions_float32.npy"))
        let sklearn = (0..<Self.test.count).map { Int(predicted.values[index * Self.test.count + $0]) }
        let result = try LinearProbe(grid: [reference.C], precision: .float32)
            .run(train: Self.trainFeatures, trainLabels: Self.train.labels, test: Self.testFeatures, testLabels: Self.test.labels,
                 classes: 10)
        let same = zip(result.scores.predictions, sklearn).filter { $0 == $1 }.count
        #expect(sklearn.count - same <= 2, "C=\(reference.C): \(sklearn.count - same) predictions differ")
        #expect(abs(result.scores.top1Accuracy - reference.top1_accuracy) <= 0.4, "C=\(reference.C) top-1")
        #expect(abs(result.scores.top5Accuracy - reference.top5_accuracy) <= 0.4, "C=\(reference.C) top-5")
    }

    /// Two classes (one weight vector, the binomial loss) in float32: the same test predictions as in float64 but
    /// for at most two near the boundary.
    @Test(arguments: [0.1, 10.0])
    func float32BinomialFitAgreesWithFloat64(C: Double) throws {
        let pick = { (labels: [Int]) in labels.indices.filter { labels[$0] == 2 || labels[$0] == 4 } }
        let trainRows = pick(Self.train.labels), testRows = pick(Self.test.labels)
        let fits = try [LogisticRegression.Precision.float64, .float32].map { precision in
            try LinearProbe(grid: [C], precision: precision)
                .run(train: Self.trainFeatures.selecting(trainRows), trainLabels: trainRows.map { Self.train.labels[$0] },
                     test: Self.testFeatures.selecting(testRows), testLabels: testRows.map { Self.test.labels[$0] }, classes: 10)
        }
        let differ = zip(fits[0].scores.predictions, fits[1].scores.predictions).filter { $0 != $1 }.count
        #expect(differ <= 2, "C=\(C): \(differ) of \(testRows.count) predictions differ")
        #expect(fits[0].scores.top1Accuracy > 70, "\(fits[0].scores.top1Accuracy)")
    }

    /// Rows converted once for a sweep fit exactly as the matrix they came from, in either precision, and rows held
    /// in the other precision are converted back without loss (the features are float32 values to begin with).
    @Test func rowsConvertedOnceFitAsTheMatrix() throws {
        let x = Self.trainFeatures.selecting(Array(0..<200)), labels = Array(Self.train.labels.prefix(200))
        for precision in LogisticRegression.Precision.allCases {
            let regression = LogisticRegression(C: 1, precision: precision)
            let direct = regression.fit(x, labels: labels, classes: 10)
            for stored in LogisticRegression.Precision.allCases {
                let rows = LogisticRegression.Rows(x, precision: stored)
                #expect(rows.samples == 200 && rows.features == x.features)
                // Rows of this fit's precision are the matrix's values in it (`fit(x)` itself goes through them);
                // rows of the other precision are converted back to the same fit.
                switch rows.storage {
                case .double(let values): #expect(stored == .float64 && values == x.values)
                case .single(let values): #expect(stored == .float32 && values == x.values.map(Float.init))
                }
                let viaRows = regression.fit(rows, labels: labels, classes: 10)
                #expect(viaRows.weights == direct.weights && viaRows.intercepts == direct.intercepts, "\(precision) on \(stored) rows")
            }
        }
    }

    /// The sweep end to end: the seeded stratified split, the validation curve, the C chosen and the refit's figures.
    @Test func sweepChoosesTheSameCOnTheSameValidationSlice() throws {
        let sweep = Self.expected.linear.sweep
        #expect(LinearProbe.stratifiedSplit(Self.train.labels, fraction: 0.1, seed: 0).heldOut == sweep.held_out)
        let result = try LinearProbe(seed: 0).run(train: Self.trainFeatures, trainLabels: Self.train.labels,
                                                  test: Self.testFeatures, testLabels: Self.test.labels, classes: 10)
        // numpy's 10 ** linspace rounds a few grid values one ulp off pow(10, p); the grid is the same.
        #expect(result.validation.count == sweep.curve.count)
        for (ours, theirs) in zip(result.validation, sweep.curve) {
            #expect(abs(ours.C - theirs.C) <= 1e-12 * theirs.C)
            #expect(abs(ours.top1Accuracy - theirs.top1_accuracy) < 1e-9, "validation top-1 at C=\(ours.C)")
        }
        #expect(abs(result.C - sweep.C) <= 1e-12 * sweep.C)
        #expect(abs(result.scores.top1Accuracy - sweep.top1_accuracy) <= 0.05)
        #expect(abs(result.scores.top5Accuracy - sweep.top5_accuracy) <= 0.05)
        #expect(abs(result.scores.meanPerClassRecall - sweep.mean_per_class_recall) <= 0.05)
    }

    /// Few-shot: the same draws (nothing but train rows), and the same mean and spread over tries at C = 1.
    @Test func fewShotDrawsAndFiguresEqualTheReference() throws {
        let sampler = try FewShotSampler(shots: [1, 2, 4], tries: 3, seed: 0)
        let probe = try LinearProbe(grid: [LinearSettings.fewShotDefaultC])
        for reference in Self.expected.linear.few_shot {
            let draws = (0..<3).map { sampler.draw(Self.train.labels, n: reference.shots, attempt: $0) }
            #expect(draws == reference.draws, "\(reference.shots) shots")
            let runs = try draws.map { rows in
                try probe.run(train: Self.trainFeatures.selecting(rows), trainLabels: rows.map { Self.train.labels[$0] },
                              test: Self.testFeatures, testLabels: Self.test.labels, classes: 10).scores
            }
            let top1 = MeanAndSpread(runs.map(\.top1Accuracy)), recall = MeanAndSpread(runs.map(\.meanPerClassRecall))
            #expect(abs(top1.mean - reference.top1_accuracy) <= 0.05, "\(reference.shots) shots top-1")
            #expect(abs(top1.std - reference.std.top1_accuracy) <= 0.05, "\(reference.shots) shots std")
            #expect(abs(recall.mean - reference.mean_per_class_recall) <= 0.05)
        }
    }

    // MARK: k-means and clustering scores

    /// From the same initial centres, Lloyd's iterations give scikit-learn's labels and inertia.
    @Test func kMeansFromGivenCentresEqualsScikitLearn() throws {
        let x = Self.testFeatures
        let initial = stride(from: 0, to: 500, by: 50).flatMap { x.values[($0 * x.features)..<(($0 + 1) * x.features)] }
        let fit = KMeans(clusters: 10).fit(x, from: initial)
        let sklearn = try NumpyArray.readLabels(at: TestPaths.fixture("protocols/kmeans_labels.npy"))
        #expect(fit.labels == sklearn)
        #expect(abs(fit.inertia - Self.expected.kmeans.from_init.inertia) <= 1e-9 * Self.expected.kmeans.from_init.inertia)
    }

    /// Seeded runs land on clusterings of the same quality: NMI within 0.01 of scikit-learn's seeded runs.
    @Test func seededKMeansNMIIsWithinAHundredthOfScikitLearn() {
        let ours = (0..<5).map { seed in
            ClusteringScores(classes: Self.test.labels, clusters: KMeans(clusters: 10, seed: UInt64(seed)).fit(Self.testFeatures).labels).nmi
        }
        let mean = { (v: [Double]) in v.reduce(0, +) / Double(v.count) }
        #expect(abs(mean(ours) - mean(Self.expected.kmeans.seeded_nmi)) <= 0.01, "ours \(ours), scikit-learn \(Self.expected.kmeans.seeded_nmi)")
        let minibatch = (0..<5).map { seed in
            ClusteringScores(classes: Self.test.labels, clusters: MiniBatchKMeans(clusters: 10, seed: UInt64(seed)).fit(Self.testFeatures).labels).nmi
        }
        #expect(abs(mean(minibatch) - mean(Self.expected.kmeans.minibatch_nmi)) <= 0.01,
                "ours \(minibatch), scikit-learn \(Self.expected.kmeans.minibatch_nmi)")
    }

    /// NMI, ARI, homogeneity, completeness and V-measure equal scikit-learn's on the same labelings.
    @Test func clusteringScoresEqualScikitLearn() {
        for reference in Self.expected.kmeans.metrics {
            let s = ClusteringScores(classes: reference.classes, clusters: reference.clusters)
            #expect(abs(s.nmi - reference.nmi) <= 1e-12, "\(reference.name) nmi \(s.nmi) vs \(reference.nmi)")
            #expect(abs(s.ari - reference.ari) <= 1e-12, "\(reference.name) ari")
            #expect(abs(s.homogeneity - reference.homogeneity) <= 1e-12, "\(reference.name) homogeneity")
            #expect(abs(s.completeness - reference.completeness) <= 1e-12, "\(reference.name) completeness")
            #expect(abs(s.vMeasure - reference.v_measure) <= 1e-12, "\(reference.name) v-measure")
            #expect(ClusteringScores.value(of: .nmi, classes: reference.classes, clusters: reference.clusters) == s.nmi)
        }
    }

    // MARK: Retrieval

    @Test func imageRetrievalEqualsNumpy() throws {
        let found = try ImageRetrievalScores(Self.test, ks: [1, 5, 10], queryBlock: 128)
        let reference = Self.expected.retrieval_image
        // The same hits: the percentages agree to rounding.
        for (k, recall) in zip([1, 5, 10], found.recall) { #expect(abs(recall - (reference.recall_at_k[String(k)] ?? -1)) <= 1e-9, "recall@\(k)") }
        #expect(abs(found.meanAveragePrecisionAtR - reference.map_at_r) <= 1e-9)
        #expect(found.averagePrecisionAtR.count == reference.average_precision.count)
        for (ours, theirs) in zip(found.averagePrecisionAtR, reference.average_precision) { #expect(abs(ours - theirs) <= 1e-12) }
    }

    /// Query blocks are cut to what the memory holds, with the same results; a depth whose one list does not fit is
    /// refused before the search (a class of 450,000 images aborted on a 1.8 GB allocation).
    @Test func imageRetrievalBlocksFitTheMemory() throws {
        let whole = try ImageRetrievalScores(Self.test, ks: [1, 5, 10])
        let largestClass = Dictionary(grouping: Self.test.labels, by: { $0 }).values.map(\.count).max() ?? 0
        let oneList = largestClass * KNNClassifier.bytesPerNeighbour
        let cut = try ImageRetrievalScores(Self.test, ks: [1, 5, 10], memoryBytes: 2 * 3 * oneList)   // 3 queries a block
        #expect(cut.hits == whole.hits && cut.averagePrecisionAtR == whole.averagePrecisionAtR && cut.queries == whole.queries)
        #expect(throws: MetricError.pastMemory(what: "image retrieval searches each query to depth \(largestClass - 1) (the larger of --recall-k and its class's other images, for mAP@R): one query's list",
                                               needed: oneList, available: oneList / 2 - 1,
                                               remedy: "use a smaller --recall-k, or fewer images of the largest class")) {
            try ImageRetrievalScores(Self.test, ks: [1, 5, 10], memoryBytes: oneList - 2)
        }
    }

    @Test func imageTextRetrievalEqualsNumpy() throws {
        let images = try NumpyArray.readMatrix(at: TestPaths.fixture("protocols/captioned_image_embeddings.npy"))
        let captions = try NumpyArray.readMatrix(at: TestPaths.fixture("protocols/captioned_caption_embeddings.npy"))
        let reference = Self.expected.retrieval_text
        let found = try CrossModalRetrievalScores(images: images, captions: captions, captionImage: reference.owner, ks: [1, 5, 10])
        for (slot, k) in [1, 5, 10].enumerated() {
            #expect(abs(found.textToImageRecall[slot] - (reference.recall_at_k["text-to-image"]?[String(k)] ?? -1)) <= 1e-9, "text→image R@\(k)")
            #expect(abs(found.imageToTextRecall[slot] - (reference.recall_at_k["image-to-text"]?[String(k)] ?? -1)) <= 1e-9, "image→text R@\(k)")
        }
        // An image with no caption has no relevant text: refused, not scored as a miss.
        let bare = reference.owner.map { $0 == 3 ? 4 : $0 }
        #expect(throws: MetricError.incompatibleSets("image 3 has no caption: image → text recall needs every image's captions")) {
            try CrossModalRetrievalScores(images: images, captions: captions, captionImage: bare, ks: [1])
        }
        // Both directions' lists grow as (images + captions) × the largest k: refused past half of the memory,
        // naming the largest k that fits (a --recall-k of 10^6 kept every pair).
        let queries = images.rows + captions.rows, depth = max(images.rows, captions.rows)
        let budget = queries * 16 * 10 * 2
        #expect(throws: MetricError.neighboursPastMemory(option: "--recall-k", neighbours: depth, points: queries, needed: queries * depth * 16,
                                                         available: budget, most: 10)) {
            try CrossModalRetrievalScores(images: images, captions: captions, captionImage: reference.owner, ks: [1, 1_000_000], memoryBytes: budget)
        }
        #expect(try CrossModalRetrievalScores(images: images, captions: captions, captionImage: reference.owner, ks: [10], memoryBytes: budget)
                    .textToImageRecall.count == 1)
    }
}
