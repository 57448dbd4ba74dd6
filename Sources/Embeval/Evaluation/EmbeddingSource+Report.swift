import Foundation

extension EmbeddingSource {
    /// What reports record of the request: the poolings run (`precomputed` for files) and the sample counts asked for.
    var requested: (pooling: String, samples: Int?, trainSamples: Int?) {
        guard case .model(let spec, let selection, let train) = origin else { return ("precomputed", nil, nil) }
        return (spec.poolings.map(\.description).joined(separator: ","), selection.samples, train?.samples)
    }
}

extension EmbeddedData {
    /// The report's dataset summary for the evaluated set (`trainSamples` for a protocol with a train set).
    func summary(trainSamples: Int? = nil) -> EvaluatedDataset {
        let first = primary
        return EvaluatedDataset(name: dataset.name, split: dataset.split, samples: first.count,
                                classes: max(first.classes.count, (first.labels.max() ?? 0) + 1),
                                trainSplit: trainSamples == nil ? nil : dataset.trainSplit, trainSamples: trainSamples,
                                skipped: skipped)
    }

    /// Each set's health as reports show it.
    var healthSummaries: [HealthSummary] {
        sets.compactMap { set in set.health.map { HealthSummary(pooling: set.pooling, dimension: set.query.dimension, health: $0) } }
    }

    /// A set's rows as the probe and k-means take them: L2-normalised (as for kNN) unless `normalize` is off.
    static func features(_ embeddings: Embeddings, normalize: Bool) -> FeatureMatrix {
        FeatureMatrix(normalize ? embeddings.rows.l2NormalizedRows() : embeddings.matrix)
    }
}
