import Embeval

extension ModelOptions {
    /// Builds the model named by -m (pending: runtime and imaging layers).
    func load() throws -> ImageEmbeddingModel {
        throw EmbevalError.usage("model loading not wired yet")
    }
}
